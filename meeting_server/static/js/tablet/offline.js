// The tablet's side of offline reading: register the service worker, tell it which documents
// of the open meeting to keep, and wipe everything when the meeting ends or the tablet is
// revoked (the server also sends Clear-Site-Data on sign-out and revocation).

export function registerWorker(url) {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(url, { scope: "/tablet/" }).catch(() => {
    /* no offline reading (e.g. not a secure origin); everything else works */
  });
}

async function tell(message) {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.ready;
  registration.active?.postMessage(message);
}

/** Keep this meeting's documents and thumbnails for offline reading; drop them once it ended. */
export function keepForOffline(meetingId, state) {
  if (state.meeting.status === "ended") {
    tell({ type: "drop", meeting_id: meetingId });
    return;
  }
  const urls = state.documents.map((doc) => doc.file_url);
  tell({ type: "keep", meeting_id: meetingId, urls });
}

/** Keep only the caches of these meetings (the others ended or are not today's). */
export function retainMeetings(meetingIds) {
  tell({ type: "retain", meeting_ids: meetingIds });
}

/** Forget everything this tablet stored: caches, notes queued offline, marks, seqs. */
export async function wipeTablet() {
  if ("caches" in window) {
    for (const name of await caches.keys()) await caches.delete(name);
  }
  localStorage.clear();
  sessionStorage.clear();
  if ("serviceWorker" in navigator) {
    for (const registration of await navigator.serviceWorker.getRegistrations()) {
      await registration.unregister();
    }
  }
}
