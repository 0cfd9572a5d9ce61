// The sign-in page: reaching it means this browser has no session, so forget everything the
// scoring pages kept on this device (the server also sends Clear-Site-Data with this page).
import { forgetDevice } from "./device.js";

forgetDevice();
