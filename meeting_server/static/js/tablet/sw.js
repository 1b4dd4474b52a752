// Offline reading for the tablet (served as /tablet/sw.js, scope /tablet/).
// - Each meeting has its own cache "tablet-meeting-<id>": its page, its state, the PDF files
//   and page thumbnails its screen fetched, plus the files the page asks it to keep.
// - Documents and thumbnails are immutable per URL (the version is in the URL): cache first.
// - The meeting page and its state: network first, the cached copy when offline.
// - Scripts and styles: network first, cached copy when offline ("tablet-shell").
// The page tells the worker to drop a meeting's cache when it ends; sign-out and device
// revocation make the server send Clear-Site-Data, which empties every cache.
const SHELL = "tablet-shell";
const MEETING_PREFIX = "tablet-meeting-";

// What the meeting screen needs to start and to open PDFs without the network.
const SHELL_URLS = [
  "/static/css/app.css", "/static/css/tablet.css", "/static/favicon.svg", "/static/js/common.js",
  "/static/js/tablet/meeting.js", "/static/js/tablet/viewer.js", "/static/js/tablet/notes.js",
  "/static/js/tablet/conduct.js", "/static/js/tablet/agenda.js", "/static/js/tablet/tabs.js",
  "/static/js/tablet/offline.js", "/static/js/tablet/home.js",
  "/static/js/lib/ask.js", "/static/js/lib/live.js", "/static/js/lib/contract.js",
  "/static/js/lib/dom.js",
  "/static/vendor/socket.io.esm.min.js", "/static/vendor/pdfjs/pdf.min.mjs",
  "/static/vendor/pdfjs/pdf.worker.min.mjs", "/static/vendor/pdfjs/pdf_viewer.mjs",
  "/static/vendor/pdfjs/pdf_viewer.css",
];

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    await Promise.all(SHELL_URLS.map((url) => cache.add(url).catch(() => undefined)));
    await self.skipWaiting();
  })());
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const message = event.data ?? {};
  if (message.type === "keep") event.waitUntil(keep(message.meeting_id, message.urls));
  if (message.type === "drop") event.waitUntil(caches.delete(MEETING_PREFIX + message.meeting_id));
  if (message.type === "retain") event.waitUntil(retain(message.meeting_ids));
});

async function keep(meetingId, urls) {
  const cache = await caches.open(MEETING_PREFIX + meetingId);
  for (const url of urls) {
    if (await cache.match(url)) continue;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok) await cache.put(url, response);
    } catch { /* offline now: try again at the next state */ }
  }
  const wanted = new Set(urls.map((url) => new URL(url, self.location.origin).href));
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.endsWith("/file") && !wanted.has(request.url)) await cache.delete(request); // withdrawn
  }
}

async function retain(meetingIds) {
  const keepNames = new Set(meetingIds.map((id) => MEETING_PREFIX + id));
  for (const name of await caches.keys()) {
    if (name.startsWith(MEETING_PREFIX) && !keepNames.has(name)) await caches.delete(name);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/documents/")) {
    event.respondWith(cacheFirst(event, url));
  } else if (/^\/tablet\/meetings\/\d+(\/state)?$/.test(url.pathname)) {
    event.respondWith(networkFirst(request, meetingCacheName(url.pathname)));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(networkFirst(request, SHELL));
  }
});

function meetingCacheName(pathname) {
  return MEETING_PREFIX + pathname.split("/")[3];
}

async function cacheFirst(event, url) {
  const cached = await caches.match(event.request.url, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(event.request);
  const client = event.clientId ? await self.clients.get(event.clientId) : null;
  const match = client && new URL(client.url).pathname.match(/^\/tablet\/meetings\/(\d+)/);
  if (response.ok && match && !event.request.headers.has("range")) {
    const cache = await caches.open(MEETING_PREFIX + match[1]);
    await cache.put(url.href, response.clone());
  }
  return response;
}

async function networkFirst(request, cacheName) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) {
      const cache = await caches.open(cacheName);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(request);
    if (cached) return cached;
    throw error;
  }
}
