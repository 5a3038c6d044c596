/** The fault scenarios (scenarios.ts) for Bybit: `hean run --venue bybit --mode live` against `hean sim bybit`. */
import { faultScenarios } from "./scenarios.ts";
import { BYBIT } from "./venues.ts";

faultScenarios(BYBIT);
