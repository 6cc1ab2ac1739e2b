/*
 * Puts a Connexion web form on the business's own page, in a frame that
 * fits the form's height, and passes on the visitor ID of the cookie banner
 * (so that the visitor's cookie choices join their record):
 *
 *   <script src="https://crm.example.co.th/static/portal/webform-embed.js"
 *     data-form="https://crm.example.co.th/privacy/forms/KEY/" data-language="th" defer></script>
 *
 * The page's origin must be among the form's allowed sites.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.form) return;
  var source = new URL(script.dataset.form, location.href);
  source.searchParams.set("embed", "1");
  if (script.dataset.language) source.searchParams.set("lang", script.dataset.language);
  function visitorId() {
    var match = document.cookie.match(/(?:^|;\s*)cx_cookie_consent=([^;]*)/);
    if (!match) return "";
    try {
      var state = JSON.parse(decodeURIComponent(match[1]));
      return state && typeof state.id === "string" ? state.id : "";
    } catch (error) {
      return ""; // no usable visitor ID: the form works without it
    }
  }
  if (visitorId()) source.searchParams.set("visitor", visitorId());
  var frame = document.createElement("iframe");
  frame.src = source.toString();
  frame.title = script.dataset.title || document.title;
  frame.style.width = "100%";
  frame.style.minHeight = "480px";
  frame.style.border = "0";
  window.addEventListener("message", function (event) {
    if (event.origin !== source.origin || event.source !== frame.contentWindow) return;
    if (event.data && event.data.type === "cx-form-height") {
      frame.style.height = Number(event.data.height) + "px";
    }
  });
  // A choice made after the frame loaded reaches the form too.
  function tellVisitor() {
    var id = visitorId();
    if (id && frame.contentWindow) {
      frame.contentWindow.postMessage({ type: "cx-visitor", id: id }, source.origin);
    }
  }
  frame.addEventListener("load", tellVisitor);
  document.addEventListener("cx:cookie-consent", tellVisitor);
  script.parentNode.insertBefore(frame, script.nextSibling);
})();
