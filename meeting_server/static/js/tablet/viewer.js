// The PDF reader of the tablet: PDF.js (from npm, served from our origin) with its viewer
// components for the text layer and search; page thumbnails are rendered by the server.
// Documents are fetched whole (not by ranges) so that the service worker can keep them for
// offline reading. No PDF scripting, no eval.
import * as pdfjsLib from "/static/vendor/pdfjs/pdf.min.mjs";

pdfjsLib.GlobalWorkerOptions.workerSrc = "/static/vendor/pdfjs/pdf.worker.min.mjs";
const SETTLE_MS = 400; // page reports this soon after our own move are ours too
globalThis.pdfjsLib = pdfjsLib; // pdf_viewer.mjs reads the library from here
const { EventBus, PDFFindController, PDFLinkService, PDFViewer } = await import(
  "/static/vendor/pdfjs/pdf_viewer.mjs"
);

const ZOOM_STEPS = [50, 75, 100, 125, 150, 200, 300, 400];

export class DocumentViewer {
  /** @param {{container: HTMLElement, viewer: HTMLElement, thumbs: HTMLElement,
   *   onPageChange: (page: number, byUser: boolean) => void, onZoomChange: (zoom: number) => void,
   *   onFind: (current: number, total: number, found: boolean) => void}} options */
  constructor(options) {
    this.options = options;
    this.eventBus = new EventBus();
    this.linkService = new PDFLinkService({ eventBus: this.eventBus });
    this.findController = new PDFFindController({
      eventBus: this.eventBus, linkService: this.linkService,
    });
    this.pdfViewer = new PDFViewer({
      container: options.container,
      viewer: options.viewer,
      eventBus: this.eventBus,
      linkService: this.linkService,
      findController: this.findController,
      removePageBorders: false,
      annotationMode: pdfjsLib.AnnotationMode.ENABLE,
    });
    this.linkService.setViewer(this.pdfViewer);
    this.document = null;
    this.loadingTask = null;
    this.worker = new pdfjsLib.PDFWorker(); // one worker for every document opened here
    this.zoom = 100;
    this.programmatic = 0; // > 0 while we move the view ourselves (not the reader)
    // A zoom re-lays the pages out and PDF.js reports the page under the new scroll position a
    // little later, from its scroll handler: that is still our move, not the reader's.
    this.settledAt = 0;
    this.eventBus.on("pagechanging", ({ pageNumber }) => {
      this.highlightThumb(pageNumber);
      const byUser = this.programmatic === 0 && performance.now() >= this.settledAt;
      options.onPageChange(pageNumber, byUser);
    });
    this.eventBus.on("updatefindmatchescount", ({ matchesCount }) => {
      options.onFind(matchesCount.current, matchesCount.total, matchesCount.total > 0);
    });
    this.eventBus.on("updatefindcontrolstate", ({ state, matchesCount }) => {
      if (state === 1) options.onFind(0, 0, false); // FindState.NOT_FOUND
      else if (matchesCount) options.onFind(matchesCount.current, matchesCount.total, true);
    });
    new ResizeObserver(() => { if (this.document) this.applyZoom(); }).observe(options.container);
  }

  get page() { return this.pdfViewer.currentPageNumber || 1; }
  get pageCount() { return this.document ? this.document.numPages : 0; }

  /** Open ``doc`` (from the tablet state) at ``page``/``zoom``; resolves once the pages exist. */
  async open(doc, { page = 1, zoom = 100 } = {}) {
    this.close();
    this.opened = doc;
    const response = await fetch(doc.file_url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const data = new Uint8Array(await response.arrayBuffer());
    if (this.opened !== doc) return false; // another document was chosen meanwhile
    this.loadingTask = pdfjsLib.getDocument({
      data, worker: this.worker, isEvalSupported: false, enableXfa: false, disableAutoFetch: true,
    });
    const pdf = await this.loadingTask.promise;
    if (this.opened !== doc) { pdf.destroy(); return false; }
    this.document = pdf;
    const ready = new Promise((resolve) => this.eventBus.on("pagesinit", resolve, { once: true }));
    this.pdfViewer.setDocument(pdf);
    this.linkService.setDocument(pdf, null);
    await ready;
    if (this.opened !== doc) return false;
    this.renderThumbs(doc, pdf.numPages);
    this.zoom = zoom;
    this.applyZoom(); // PDF.js starts at "auto"; we always size relative to the page width
    this.moveTo(page, zoom);
    return true;
  }

  close() {
    this.opened = null;
    // Detach the page views first, so none of them renders from a destroyed document.
    this.pdfViewer.setDocument(null);
    this.linkService.setDocument(null, null);
    this.options.thumbs.replaceChildren();
    if (this.loadingTask) this.loadingTask.destroy();
    this.loadingTask = null;
    this.document = null;
  }

  /** Move to ``page`` at ``zoom`` without counting it as the reader's own move. */
  moveTo(page, zoom) {
    this.programmatic += 1;
    try {
      if (zoom !== undefined && zoom !== this.zoom) { this.zoom = zoom; this.applyZoom(); }
      const target = Math.min(Math.max(1, page), this.pageCount || 1);
      if (this.pdfViewer.currentPageNumber !== target) this.pdfViewer.currentPageNumber = target;
      this.highlightThumb(target);
    } finally {
      this.programmatic -= 1;
      this.settledAt = performance.now() + SETTLE_MS;
    }
  }

  goTo(page) {
    const target = Math.min(Math.max(1, page), this.pageCount || 1);
    this.pdfViewer.currentPageNumber = target;
  }

  /** Set the zoom as a percentage of the page width (100 = fit the width). */
  setZoom(zoom) {
    this.zoom = Math.min(400, Math.max(25, Math.round(zoom)));
    this.applyZoom();
    this.options.onZoomChange(this.zoom);
  }

  zoomStep(direction) {
    const steps = direction > 0 ? ZOOM_STEPS : [...ZOOM_STEPS].reverse();
    const next = steps.find((z) => (direction > 0 ? z > this.zoom : z < this.zoom));
    if (next !== undefined) this.setZoom(next);
  }

  applyZoom() {
    // Not laid out yet (a hidden tab, a page still loading): PDF.js would compute a scale from
    // zero width and log an error; the ResizeObserver applies the zoom once there is a width.
    if (!this.document || this.pdfViewer.container.clientWidth === 0) return;
    const page = this.pdfViewer.currentPageNumber;
    this.pdfViewer.currentScaleValue = "page-width";
    if (this.zoom !== 100) this.pdfViewer.currentScale = this.pdfViewer.currentScale * this.zoom / 100;
    this.pdfViewer.currentPageNumber = page;
  }

  /** Search the text (accents optional: "ha noi" finds "Hà Nội"). */
  find(query, { again = false, previous = false } = {}) {
    this.eventBus.dispatch("find", {
      source: this, type: again ? "again" : "", query, caseSensitive: false, entireWord: false,
      highlightAll: true, findPrevious: previous, matchDiacritics: false,
    });
  }

  renderThumbs(doc, count) {
    const items = [];
    for (let page = 1; page <= count; page += 1) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "thumb";
      button.dataset.page = String(page);
      const img = document.createElement("img");
      img.loading = "lazy";
      img.alt = "";
      img.src = doc.thumbnail_url.replace("{page}", String(page));
      const label = document.createElement("span");
      label.textContent = String(page);
      button.append(img, label);
      button.addEventListener("click", () => this.goTo(page));
      items.push(button);
    }
    this.options.thumbs.replaceChildren(...items);
  }

  highlightThumb(page) {
    for (const thumb of this.options.thumbs.querySelectorAll(".thumb")) {
      const current = Number(thumb.dataset.page) === page;
      thumb.classList.toggle("current", current);
      if (current) thumb.setAttribute("aria-current", "page");
      else thumb.removeAttribute("aria-current");
    }
  }
}
