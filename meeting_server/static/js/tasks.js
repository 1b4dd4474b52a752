// The task pages follow changes live: when the server says a task in this person's inbox
// changed (Socket.IO `tasks_changed` to their room), the page reads itself again — unless
// they are typing in one of its forms, where the menu's count is enough.

import { io } from "/static/vendor/socket.io.esm.min.js";
import { keepConnected } from "./lib/live.js";

const socket = keepConnected(io({ transports: ["websocket", "polling"] }));
const FIELDS = "form textarea, form input[type=file], form input[type=number], form input[type=date]";
const typing = () => [...document.querySelectorAll(FIELDS)]
  .some((field) => field.value && field.value !== field.defaultValue);

socket.on("tasks_changed", () => {
  if (!typing()) window.location.reload();
});
