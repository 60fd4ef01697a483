/* abm-site beacon: first-party, optional. Reports CTA clicks, engaged time and
   webinar join / heartbeat / leave to /abm/beacon. The site works the same without it. */
(function () {
  "use strict";
  var me = document.currentScript;
  var url = "/abm/beacon", path = location.pathname, engaged = 0, last = Date.now(), active = true;
  function send(kind, value, href) {
    var body = JSON.stringify({ kind: kind, path: path, value: value, href: href });
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, body))) {
      try { fetch(url, { method: "POST", body: body, keepalive: true, credentials: "same-origin" }); } catch (e) {}
    }
  }
  function tick() {
    var now = Date.now();
    if (active && document.visibilityState === "visible") engaged += (now - last) / 1000;
    last = now;
  }
  var idle;
  function wake() { tick(); active = true; clearTimeout(idle); idle = setTimeout(function () { tick(); active = false; }, 30000); }
  ["mousemove", "keydown", "scroll", "touchstart", "click"].forEach(function (name) {
    addEventListener(name, wake, { passive: true });
  });
  document.addEventListener("visibilitychange", function () { tick(); if (document.visibilityState === "hidden") flush(); });
  addEventListener("pagehide", flush);
  var sent = 0;
  function flush() {
    tick();
    var seconds = Math.round(engaged - sent);
    if (seconds >= 1) { sent += seconds; send("engagement", seconds); }
    if (webinar) { send("webinar_leave", Math.round((Date.now() - joined) / 1000)); webinar = false; }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link) return;
    // downloads are logged by the edge as it serves the file; a click in the CTA slot is a CTA click
    if (link.closest("[data-abm-slot=cta]")) send("cta_click", null, link.getAttribute("href"));
  }, true);
  var webinar = !!(me && me.hasAttribute("data-webinar")), joined = Date.now();
  if (webinar) {
    send("webinar_join", 0);
    setInterval(function () { if (webinar && document.visibilityState === "visible") send("webinar_heartbeat", Math.round((Date.now() - joined) / 1000)); }, 60000);
  }
  wake();
})();
