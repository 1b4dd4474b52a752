// Tablet home: register the offline worker and drop cached documents of meetings that are
// over (or no longer listed for today).
import { registerWorker, retainMeetings } from "./offline.js";

const script = document.querySelector("script[data-sw-url]");
registerWorker(script.dataset.swUrl);
retainMeetings(script.dataset.keep.split(",").filter(Boolean).map(Number));
