// This phone's location: where its sales, returns and stock movements happen. Remembered on the
// device (a phone usually stays in one place: the shop, the stock room, the stall).

import { get } from "./api.js";

const KEY = "shelfwise.location";

/** The location this phone works at ("main", the first, unless chosen). */
export function here() {
  return localStorage.getItem(KEY) || "main";
}

export function setHere(locationId) {
  if (!locationId || locationId === "main") localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, locationId);
}

/** A request body with this phone's location (none sent for the first: the API's default). */
export function atHere(body) {
  const id = here();
  return id === "main" ? body : { ...body, location_id: id };
}

let cached = null;

/** The shop's locations, [{location_id, name}], the first (Main) first. */
export function locations({ fresh = false } = {}) {
  if (!cached || fresh) {
    cached = get("/locations").then((reply) => {
      // A location deleted elsewhere: this phone goes back to the first.
      if (!reply.items.some((l) => l.location_id === here())) setHere("main");
      return reply.items;
    }).catch((err) => { cached = null; throw err; });
  }
  return cached;
}

export function forget() {
  cached = null;
  localStorage.removeItem(KEY);
}
