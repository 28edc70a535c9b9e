// Moved to app/utils/countries.ts (the tables) and app/utils/format.ts (names and options by
// locale). This re-export keeps older callers compiling while the customer list's rewrite lands;
// then it goes.
export { countryName, countryOptionsFor } from "~/utils/format";
