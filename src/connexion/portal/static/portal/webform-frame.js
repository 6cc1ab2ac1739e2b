// Inside the frame of an embedded web form: tells the embedding page the
// form's height, so that the frame fits it (webform-embed.js listens).
(function () {
  "use strict";
  if (window.parent === window) return;
  // The embedding page passes the visitor ID of its cookie banner (checked again on our side).
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !event.data || event.data.type !== "cx-visitor") return;
    const input = document.querySelector("input[name='visitor']");
    if (input && /^[0-9a-f-]{36}$/.test(String(event.data.id))) input.value = event.data.id;
  });
  let last = 0;
  const report = () => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "cx-form-height", height: height }, "*");
    }
  };
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.body);
})();
