// Start the NHS.UK frontend components and the session time-out warning.
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";
import { startSessionWarning } from "./session.js";
import { startPackProgress } from "./pack-progress.js";

initAll();
startSessionWarning();
startPackProgress();
