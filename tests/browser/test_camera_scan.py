"""Camera scanning (issue 14): Chromium's fake camera plays a rendered EAN-13 (drawn here, bar by
bar, into a y4m video). Unknown, it offers a new product; known, Sell's scanner adds it, counted
once however long the code stays in view; Count's scanner counts it; Receive's fills the line.
Where Chromium has no BarcodeDetector (Linux) this runs the vendored ZXing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from local.stack import LocalStack
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import log_in, shot, wait_ready

SKU, NAME, CODE = "SCAN-1", "Oat biscuits", "4006381333931"

_L = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"]
_G = [code.translate(str.maketrans("01", "10"))[::-1] for code in _L]
_R = [code.translate(str.maketrans("01", "10")) for code in _L]
_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]


def ean13_modules(code: str) -> str:
    digits = [int(c) for c in code]
    assert (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12])) % 10) % 10 == digits[12]
    left = "".join((_L if p == "L" else _G)[d] for p, d in zip(_PARITY[digits[0]], digits[1:7], strict=True))
    right = "".join(_R[d] for d in digits[7:])
    return "101" + left + "01010" + right + "101"


def barcode_y4m(code: str, path: Path, width: int = 640, height: int = 480, module: int = 4) -> None:
    """A still frame, repeated: white page, black bars centred (4 px a module, quiet zones kept)."""
    bars = ean13_modules(code)
    x0 = (width - len(bars) * module) // 2
    row = bytearray([235] * width)
    for i, bit in enumerate(bars):
        if bit == "1":
            row[x0 + i * module: x0 + (i + 1) * module] = bytes([16] * module)
    white = bytes([235] * width)
    luma = b"".join(bytes(row) if height // 4 <= y < 3 * height // 4 else white for y in range(height))
    chroma = bytes([128] * ((width // 2) * (height // 2)))
    frame = b"FRAME\n" + luma + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * 10)


@pytest.fixture(scope="module")
def browser(playwright: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Chromium whose camera films the barcode (this module's own: the flags are per launch)."""
    video = tmp_path_factory.mktemp("camera") / "ean13.y4m"
    barcode_y4m(CODE, video)
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"]
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    try:
        yield chromium
    finally:
        chromium.close()


def test_ean13_modules_match_the_standard() -> None:
    # 4006381333931: a leading 4 sets the left half's parity to LGLLGG; 0 (L), 0 (G), 6 (L) come first.
    assert ean13_modules(CODE)[:24] == "101" + "0001101" + "0100111" + "0101111"
    assert len(ean13_modules(CODE)) == 95


def test_scanning_with_the_camera_adds_and_counts(page: Any, site_stack: LocalStack, shop: dict[str, Any]) -> None:
    api = shop["api"]
    page.context.grant_permissions(["camera"], origin=site_stack.site_url)
    log_in(page, site_stack.site_url, shop["email"], shop["password"])

    # A code no product has: the scanner closes and offers to add one with it.
    page.locator(".tabbar").get_by_role("link", name="Sell").click()
    wait_ready(page, "sell")
    page.get_by_role("button", name="Scan barcodes with the camera").click()
    offer = page.locator(f"[data-add-new='{CODE}']")
    expect(offer).to_have_attribute("href", f"#/products/new?barcode={CODE}", timeout=20_000)
    expect(page.locator("[data-scanner]")).to_have_count(0)

    product = {"sku": SKU, "name": NAME, "price": "1.80", "unit_cost": "0.90", "barcode": CODE}
    reply = api.post("/products", json=product)
    assert reply.status_code == 201, reply.text
    assert api.post(f"/products/{SKU}/stock", json={"type": "receive", "quantity": 5}).status_code == 201
    page.reload()
    wait_ready(page, "sell")
    page.get_by_role("button", name="Scan barcodes with the camera").click()
    scanner = page.locator("[data-scanner]")
    expect(page.locator(f"[data-line='{SKU}']")).to_be_visible(timeout=20_000)
    expect(scanner.locator("[data-scan-status]")).to_have_text(f"Added {NAME}.")
    engine = scanner.get_attribute("data-engine")
    # The code stays in view: still one scan, one item, a second later.
    page.wait_for_timeout(1500)
    expect(scanner.locator("[data-scan-count]")).to_have_attribute("data-scan-count", "1")
    expect(page.locator(f"[data-qty='{SKU}']")).to_have_value("1")
    shot(page, f"camera-scan-01-sell-{engine}")
    scanner.get_by_role("button", name="Done").click()
    expect(scanner).to_have_count(0)

    # Count: the scanner's running count fills the quantity counted.
    page.goto(f"{site_stack.site_url}/#/products/{SKU}/stock?type=count")
    wait_ready(page, "stock")
    page.get_by_role("button", name="Scan to count with the camera").click()
    expect(page.get_by_label("Quantity counted")).to_have_value("1", timeout=20_000)
    page.get_by_role("button", name="Done").click()
    assert engine in {"native", "zxing"}

    # Receive: unpacking a delivery, the scan sets the line's accepted quantity (1, not the 6 ordered).
    supplier = api.post("/suppliers", json={"name": "Biscuit wholesale"}).json()["supplier_id"]
    po = api.post("/purchase-orders", json={"supplier_id": supplier,
                                            "lines": [{"sku": SKU, "quantity": 6, "unit_cost": "0.90"}]}).json()
    assert api.post(f"/purchase-orders/{po['po_id']}/status", json={"status": "ordered"}).status_code == 200
    page.goto(f"{site_stack.site_url}/#/orders/{po['po_id']}/receive")
    wait_ready(page, "receive")
    accepted = page.locator(f"[data-line='{SKU}']").get_by_label("Accepted")
    expect(accepted).to_have_value("6")
    page.get_by_role("button", name="Scan items as you unpack").click()
    expect(accepted).to_have_value("1", timeout=20_000)
    expect(page.locator("[data-scan-status]")).to_have_text(f"{NAME}: 1 of 6")
    page.get_by_role("button", name="Done").click()
