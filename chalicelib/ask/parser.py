"""Questions in plain words → an intent, its slots and its periods. Deterministic: the same
question on the same day always reads the same way, and nothing leaves the Lambda.

Reading goes in three steps: normalise (lower case, no punctuation, phone shorthand such as
"yday" and "last wk" spelled out, typos in the words the parser knows corrected with rapidfuzz),
find the periods (periods.py), then match intents in a fixed order: asking to change something
first (never acted on), then comparisons, stock questions, rankings and totals. What is left
once the known words are taken out is the product (or customer) the question names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from chalicelib.ask import periods
from chalicelib.ask.periods import Period

MAX_RANK = 20
DEFAULT_RANK = 5
DEFAULT_DEAD_DAYS = 90

# Phone shorthand and common misspellings, word for word.
SHORTHAND = {
    "yday": "yesterday", "ydy": "yesterday", "yest": "yesterday", "yesteday": "yesterday", "ystrdy": "yesterday",
    "yesturday": "yesterday", "2day": "today", "tdy": "today", "tday": "today", "todays": "today",
    "wk": "week", "wks": "weeks", "wkly": "weekly", "mo": "month", "mos": "months", "mth": "month",
    "mths": "months", "mnth": "month", "mnths": "months", "yr": "year", "yrs": "years", "qtr": "quarter",
    "lst": "last", "prev": "previous", "thru": "to", "til": "until", "till": "until", "v": "vs", "vs": "vs",
    "versus": "vs", "whats": "what is", "wats": "what is", "wat": "what", "hw": "how", "u": "you",
    "r": "are", "im": "i am", "ive": "i have", "weve": "we have", "pls": "please", "plz": "please",
    "qty": "quantity", "rev": "revenue", "avg": "average", "aov": "average order value", "amt": "amount",
    "no": "number", "num": "number", "nr": "number", "stk": "stock", "invent": "inventory", "prods": "products",
    "prod": "product", "cust": "customer", "custs": "customers", "cat": "category", "cats": "categories",
    "subcat": "subcategory", "subcats": "subcategories", "bestsellers": "best sellers",
    "bestseller": "best seller", "bestselling": "best selling", "thx": "", "thanks": "", "hey": "", "hi": "",
    "hello": "", "ok": "", "okay": "",
}  # fmt: skip

# The words intents, metrics and dimensions are written with: the vocabulary typos are corrected
# towards, and the words taken out before what is left is read as a product name.
VOCABULARY = frozenset("""
    today yesterday tonight week weeks month months year years quarter days day ago since between until
    january february march april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday last previous past this current same
    revenue sales sale sell sells sold selling seller sellers takings taking turnover income made make take took
    profit profits profitable margin margins markup earn earned earnings net units unit items item pieces
    quantity orders order transactions transaction receipts returns returned refunds refunded tax taxes vat
    average basket value best worst top bottom most least highest lowest biggest popular leading ranked ranking
    categories category subcategory subcategories region regions state states customers customer clients
    client suppliers supplier vendors vendor products product reject rejects rejected rate
    stock inventory hand left remaining available shelf shelves running low minimum reorder restock
    forecast dead tied cash worth valuation compare compared comparison versus change growth percent
    delete remove update create cancel rename run runs out soon going next list suggestions need buy
""".split())

# Words that carry no product: what is left of a question once these and the vocabulary go.
STOP = frozenset("""
    a an the i me my mine we us our ours you your it its is are was were be been being am do did does done
    doing have has had having got get gets getting what which who whom how much many when where why show
    tell give list please can could would will should shall may might must to of in on for at by from with
    and or but so far up down just now currently right overall gross whole entire amount figure figures
    number numbers total totals level levels count still about around like see know look check find report
    went go going thing things stuff any some all there that these those then than them they their per each
    every over during into out off let lets want need see much more less very really pretty quite good bad
    well doing business shop store shops stores far yet already ever again also too is it s t
    sold sell sells selling sale sales
""".split())

OFF_TOPIC = re.compile(
    r"\b(weather|joke|news|football|soccer|recipe|poem|song|movie|film|bitcoin|horoscope|president|capital of|"
    r"meaning of life|who are you|your name|love you|date me|translate)\b"
)

ACTION_VERBS = (
    r"delete|remove|erase|wipe|clear|set|change|update|edit|rename|add|create|cancel|refund|record|put|mark|"
    r"reset|send|email|order|buy|raise|lower|increase|decrease|reduce|discount|make|receive|adjust|move|"
    r"transfer|import|export|print|invite|sell|void|drop|empty|zero|archive|restore|ring up|enter|log"
)
ACTION = re.compile(
    rf"^(?:(?:please|can you|could you|would you|will you|go|just|now|i want to|i need to|i would like to|"
    rf"id like to|i wanna|lets|let us|help me|how do i|how can i|how to|where do i|where can i) )*(?:{ACTION_VERBS})\b"
)
COMPARE = re.compile(
    r"\bvs\b|\bcompar|\bagainst\b|\bup or down\b|\bdown or up\b|\b(?:up|down) (?:on|from|vs|over)\b|"
    r"\bgrowth\b|\bgrew\b|\bgrown\b|\bpercent change\b|\bchange (?:from|since|on|over|vs)\b|"
    r"\b(?:better|worse|more|less|higher|lower|bigger|smaller) than\b|\bhow did .* do against\b"
)
DEAD = re.compile(
    r"\bdead\b|\bnot sell|\bisnt sell|\barent sell|\bnot sold\b|\bhasnt sold\b|\bhavent sold\b|\bnever sold\b|"
    r"\bdidnt sell\b|\bnot moving\b|\bslow moving\b|\bnon moving\b|\bnonmoving\b|\btied up\b|\bgathering dust\b|"
    r"\bunsold\b|\bno sales (?:in|for|since)\b|\bsitting on the shel|\bstuck\b"
)
RUN_OUT = re.compile(
    r"\brun(?:ning)? out\b|\bruns out\b|\bsell(?:ing|s)? out\b|\bout of stock (?:soon|next|by|before)\b|"
    r"\bstock ?outs?\b|\bwhen will\b|\bforecast|\bhow long (?:will|until|till|before)\b|\bdays of (?:cover|stock)\b|"
    r"\blast until\b|\bwill (?:i|we) (?:run|need)\b|\bgoing to run\b"
)
REORDER = re.compile(
    r"\breorder|\bre order\b|\brestock|\border more\b|\bneed to (?:order|buy)\b|\bshould (?:i|we) (?:order|buy)\b|"
    r"\b(?:what|which) (?:do|should|to) (?:i |we )?(?:order|buy)\b|\bwhat to (?:order|buy)\b|\btop up\b|"
    r"\bneed ordering\b|\bshopping list\b|\bpurchase list\b|\bbuy more\b|\bneed more\b"
)
LOW = re.compile(
    r"\blow\b(?! sell)|\bbelow (?:the |my |their |its )?min|\bshort on\b|\bshort of\b|\balmost (?:out|gone)\b|"
    r"\bnearly (?:out|gone)\b|\bout of stock\b|\bminimum\b|\bsold out\b|\brunning short\b|\bempty shel"
)
VALUE = re.compile(
    r"\bworth\b|\bvaluation\b|\b(?:stock|inventory) value\b|\bvalue of (?:my |the |our |all )?(?:stock|inventory)\b|"
    r"\bmoney (?:in|on) (?:the )?(?:stock|shel)|\bcost of (?:my |the |our )?(?:stock|inventory)\b|"
    r"\bhow much (?:stock|inventory) (?:do|have)\b"
)
CUSTOMER_ONLY = re.compile(
    r"\bat risk\b|\blost customers\b|\bchurn|\bnew customers\b|\brepeat customers\b|\breturning customers\b|"
    r"\blapsed\b|\bhavent (?:been back|come back|bought)\b|\bstopped (?:buying|coming)\b|"
    r"\blast (?:bought|purchase|purchased|ordered|order|visit|visited|came|shopped)\b|"
    r"\bwhen did .* (?:last )?(?:buy|order|come|shop|purchase)\b"
)
RANK = re.compile(
    r"\b(?:best|top|most|highest|biggest|largest|greatest|worst|least|lowest|bottom|slowest|poorest|weakest|"
    r"fewest|popular|leading|rank|ranked|ranking|ranks|leaderboard|flops?)\b|\bsold (?:best|most|well|badly)\b|"
    r"\bsell(?:s|ing)? (?:best|most|well|badly)\b|"
    r"\bwhich (?:products?|items?|categor|subcategor|regions?|states?|customers?|suppliers?|ones)\b|"
    r"\bwhat (?:products?|items?) (?:sold|sell)\b|\bwhat (?:sold|sells)\b|\bbreak ?down\b|"
    r"\bby (?:category|subcategory|region|state|product|customer|supplier)\b|\bsplit by\b|\bwhere .* come from\b"
)
STOCK = re.compile(
    r"\bin stock\b|\bon hand\b|\bleft\b|\bstock (?:of|for|level)|\bhow many\b.*\b(?:have|got|there)\b|"
    r"\bdo (?:i|we) have\b|\bhave (?:i|we) got\b|\bon the shel|\bremaining\b|\bavailable\b|\bstock\b|\binventory\b"
)
SALES_WORDS = re.compile(
    r"\b(?:sell|sells|sold|selling|sale|sales|revenue|orders?|profit|margin|takings|turnover|made|make|"
    r"earn|earned|took|take)\b"
)
TOTAL_HINT = re.compile(
    r"\bhow much\b|\bhow many\b|\bhow (?:am i|are we|is business|is the shop|did (?:i|we) do|did it go|"
    r"are things|is it going)\b|\bdoing\b|\btotal\b|\bsummary\b"
)
# Words that name a time: if a question has them but no period could be read from it, it is asked
# again rather than answered for a default period the owner did not mean.
PERIODISH = re.compile(
    r"\b(?:last|past|previous|since|between|during|fortnight|week|weeks|month|months|year|years|quarter|ago|"
    r"season|christmas|easter|holidays?|weekend|summer|winter|spring|autumn|fall)\b"
)
METRICS: list[tuple[str, re.Pattern[str]]] = [
    ("tax", re.compile(r"\b(?:tax|taxes|vat|gst|hst)\b")),
    ("returns", re.compile(r"\b(?:returns?|returned|refunds?|refunded)\b")),
    ("aov", re.compile(r"\baverage (?:order|sale|basket|transaction|spend|ticket)|\bbasket size\b|\bper order\b|"
                       r"\bper sale\b|\bper customer\b")),
    ("margin", re.compile(r"\bmargins?\b|\bmark ?up\b")),
    ("profit", re.compile(r"\bprofits?\b|\bprofitable\b|\bearn(?:ed|ings|t)?\b|\bnet\b|\bclear(?:ed)?\b|"
                          r"\bbottom line\b|\bmake money\b")),
    ("orders", re.compile(r"\borders?\b|\btransactions?\b|\bhow many sales\b|\bnumber of sales\b|\bsales count\b|"
                          r"\bcount of sales\b|\breceipts\b|\btickets\b|\bcheckouts?\b|\bhow many customers\b")),
    ("units", re.compile(r"\bunits?\b|\bitems?\b|\bpieces\b|\bquantity\b|\bhow many\b|\bvolume\b")),
    ("revenue", re.compile(r"\brevenue\b|\bsales\b|\bsale\b|\bsold\b|\bsell\b|\btakings\b|\btaking\b|\bturnover\b|"
                           r"\bincome\b|\bmade\b|\bmake\b|\btook\b|\btake\b|\btaken\b|\bgross\b")),
]
DIMENSIONS: list[tuple[str, re.Pattern[str]]] = [
    ("customer", re.compile(r"\bcustomers?\b|\bclients?\b|\bbuyers?\b|\bshoppers?\b|"
                            r"\bwho (?:buys|bought|spends|spent)\b")),
    ("supplier", re.compile(r"\bsuppliers?\b|\bvendors?\b|\bwholesalers?\b")),
    ("subcategory", re.compile(r"\bsubcategor(?:y|ies)\b|\btypes?\b|\bkinds?\b")),
    ("category", re.compile(r"\bcategor(?:y|ies)\b|\bdepartments?\b|\bsections?\b|\branges?\b")),
    ("region", re.compile(r"\bregions?\b|\bareas?\b")),
    ("state", re.compile(r"\bstates?\b")),
]
WORST = re.compile(
    r"\b(?:worst|least|lowest|bottom|slowest|poorest|weakest|fewest|flops?)\b|\bsold badly\b|\bsells? badly\b"
)
RANK_UNITS = re.compile(
    r"\bunits?\b|\bquantity\b|\bvolume\b|\bhow many\b|\bmost (?:sold|items)\b|\bsold (?:the )?most\b|"
    r"\bsells? (?:the )?most\b|\bby (?:count|number)\b|\bpopular\b|\bitems sold\b|\bfewest\b"
)
RANK_PROFIT = re.compile(r"\bprofits?\b|\bprofitable\b|\bmargins?\b|\bearn")
REJECTS = re.compile(r"\breject|\bdefect|\bquality\b|\bdamaged\b|\bfaulty\b|\bsent back\b")
_COUNT = r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)"
LIMIT = re.compile(
    rf"\b(?:top|best|worst|bottom|first|biggest|highest|lowest) {_COUNT}\b|\b{_COUNT} (?:best|worst|top|most|biggest|"
    rf"highest|lowest|least)\b"
)
COUNT_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "twelve": 12, "fifteen": 15, "twenty": 20,
}  # fmt: skip
PHRASES = [
    (re.compile(r"\bsub[ -]?(categor|cat)"), r"sub\1"),
    (re.compile(r"\bsubcat\b"), "subcategory"),
    (re.compile(r"\bsubcats\b"), "subcategories"),
    (re.compile(r"\bbest ?sell(?:ers?|ing)\b"), "best sellers"),
    (re.compile(r"\bon ?hand\b"), "on hand"),
    (re.compile(r"\bin ?stock\b"), "in stock"),
    (re.compile(r"\bre-?stock"), "restock"),
    (re.compile(r"\bre-?order"), "reorder"),
    (re.compile(r"%"), " percent "),
]


@dataclass
class Parsed:
    intent: str  # total, compare, ranking, stock, low_stock, run_out, reorder, dead_stock, stock_value,
    #              customers, action, unclear_period, unknown
    slots: dict[str, Any] = field(default_factory=dict)
    period: Period | None = None
    compare_to: Period | None = None
    text: str = ""  # the question as normalised


@lru_cache(maxsize=1)
def _fuzz() -> Any:
    from rapidfuzz import fuzz, process  # only when a word is unknown

    return fuzz, process


_KNOWN = (
    VOCABULARY | STOP | frozenset(SHORTHAND) | frozenset(periods.MONTHS)
    | frozenset(re.findall(r"[a-z]+", ACTION_VERBS))
    | frozenset("vs supplies weather joke hello price prices tomorrow".split())
)


def correct(word: str) -> str:
    """A misspelt word the parser knows ("yesterdy", "revnue", "catagories") as it should be;
    any other word (a product name) as it came."""
    if len(word) < 5 or not word.isalpha() or word in _KNOWN:
        return word
    fuzz, process = _fuzz()
    best = process.extractOne(word, VOCABULARY, scorer=fuzz.ratio, score_cutoff=85)
    return str(best[0]) if best else word


def normalise(question: str) -> str:
    text = unicodedata.normalize("NFKC", question).casefold()
    text = re.sub(r"[\u2018\u2019\u02bc'`]", "", text)  # isn't → isnt
    for pattern, replacement in PHRASES:
        text = pattern.sub(replacement, text)
    text = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", text)
    text = re.sub(r"(?<![\d])[-/](?![\d])", " ", text)  # hyphens between words, not in dates
    text = re.sub(r"[^\w\s\-/]", " ", text)
    words: list[str] = []
    for word in text.split():
        word = SHORTHAND.get(word, word)
        words.extend(correct(w) for w in word.split())
    text = " ".join(words)
    for pattern, replacement in PHRASES[:4]:  # shorthand may have made new ones ("sub cats")
        text = pattern.sub(replacement, text)
    return text


def _metric(text: str, default: str = "revenue") -> str:
    for name, pattern in METRICS:
        if pattern.search(text):
            return name
    return default


def _dimension(text: str) -> str:
    for name, pattern in DIMENSIONS:
        if pattern.search(text):
            return name
    return "product"


def _limit(text: str) -> int:
    m = LIMIT.search(text)
    if not m:
        return DEFAULT_RANK
    k = m.group(1) or m.group(2)
    return max(1, min(MAX_RANK, int(k) if k.isdigit() else COUNT_WORDS[k]))


def remainder(masked: str) -> str:
    """What a question names besides the words the parser reads: a product or a customer."""
    words = [w for w in masked.split() if w not in STOP and w not in VOCABULARY and w not in SHORTHAND]
    words = [w for w in words if not w.isdigit() or len(words) > 1]
    text = " ".join(words).strip()
    return text if len(text) >= 2 else ""


def parse(question: str, today: date) -> Parsed:
    """Read a question asked on `today` (the shop's date)."""
    text = normalise(question)
    if not text or OFF_TOPIC.search(text):
        return Parsed("unknown", text=text)
    found, masked = periods.find_periods(text, today)
    named = [f.period for f in found]
    period = named[0] if named else None

    if ACTION.search(text) and not re.match(r"^(?:what|how much|how many|which|when|who)\b", text):
        return Parsed("action", {"verb": ACTION.search(text).group(0).split()[-1]}, text=text)  # type: ignore[union-attr]

    if COMPARE.search(text):
        first, second = _comparison(named, today)
        return Parsed("compare", {"metric": _metric(text)}, first, second, text)

    if DEAD.search(text):
        days = period.days if period is not None and period.kind in ("days", "range") else DEFAULT_DEAD_DAYS
        m = re.search(r"\b(\d{1,4}) (days?|weeks?|months?)\b", masked)
        if m and period is None:
            days = int(m.group(1)) * {"d": 1, "w": 7, "m": 30}[m.group(2)[0]]
        return Parsed("dead_stock", {"days": max(1, min(days, 3650))}, text=text)

    if RUN_OUT.search(text) and not re.search(r"\bsold out\b", text):
        return Parsed("run_out", _product_slot(masked), text=text)
    if REORDER.search(text):
        return Parsed("reorder", _product_slot(masked), text=text)
    if VALUE.search(text):
        return Parsed("stock_value", text=text)
    if LOW.search(text):
        return Parsed("low_stock", text=text)

    if CUSTOMER_ONLY.search(text):
        slots: dict[str, Any] = {}
        name = remainder(re.sub(r"\b(?:customers?|bought|purchase|purchased|ordered|visit|visited|came|"
                                r"shopped|shop|buy|come|risk|lost|new|repeat|returning|lapsed)\b", " ", masked))
        if name:
            slots["customer"] = name
        return Parsed("customers", slots, period, text=text)

    if RANK.search(text) and not (STOCK.search(text) and not SALES_WORDS.search(text) and not _dimension_named(text)):
        if period is None and PERIODISH.search(masked):
            return Parsed("unclear_period", {"asked": "ranking"}, text=text)
        return _ranking(text, period, today)

    if STOCK.search(text) and not SALES_WORDS.search(text):
        product = _product_slot(masked)
        return Parsed("stock", product, text=text) if product else Parsed("stock_value", text=text)

    metric_named = any(p.search(text) for _, p in METRICS)
    if metric_named or period is not None or TOTAL_HINT.search(text):
        slots = {"metric": _metric(text)}
        slots.update(_product_slot(_without_metric_words(masked)))
        if slots.get("product") and period is None and not SALES_WORDS.search(text) and slots["metric"] == "units":
            return Parsed("stock", {"product": slots["product"]}, text=text)  # "how many mugs" is stock
        if period is None and PERIODISH.search(masked):
            return Parsed("unclear_period", {"asked": "total", "metric": slots["metric"]}, text=text)
        return Parsed("total", slots, period or periods.today_period(today), text=text)

    return Parsed("unknown", text=text)


def _dimension_named(text: str) -> bool:
    return any(p.search(text) for _, p in DIMENSIONS)


def _without_metric_words(masked: str) -> str:
    return re.sub(r"\b(?:average order value|average|basket|per order|per sale|bottom line)\b", " ", masked)


def _product_slot(masked: str) -> dict[str, Any]:
    name = remainder(masked)
    return {"product": name} if name else {}


def _ranking(text: str, period: Period | None, today: date) -> Parsed:
    dimension = _dimension(text)
    if dimension == "supplier":
        measure = "reject_rate" if REJECTS.search(text) else "revenue"
    elif RANK_PROFIT.search(text):
        measure = "profit"
    elif RANK_UNITS.search(text):
        measure = "units"
    else:
        measure = "revenue"
    slots = {"dimension": dimension, "measure": measure, "order": "worst" if WORST.search(text) else "best",
             "limit": _limit(text)}
    return Parsed("ranking", slots, period or periods.last_days(30, today), text=text)


def _comparison(named: list[Period], today: date) -> tuple[Period, Period]:
    """The two periods a comparison is between: as named, or the one named and the one before
    it, or this month against last month; a current period against a past one is like for like."""
    if len(named) >= 2 and named[1] == named[0]:  # "last month and the month before"
        first, second = named[0], periods.previous_of(named[0], today)
    elif len(named) >= 2:
        first, second = named[0], named[1]
        if second.to_date and not first.to_date:  # "last month vs this month": the current one first
            first, second = second, first
    elif len(named) == 1:
        only = named[0]
        if only.to_date or only.label not in (
            "last week", "last month", "last year", "last quarter", "yesterday", "the same week last year",
            "the same month last year",
        ):
            first, second = only, periods.previous_of(only, today)
        else:
            first, second = periods.current_of(only, today), only
    else:
        first = periods.this_month(today)
        second = periods.previous_of(first, today)
    return first, periods.like_for_like(first, second)
