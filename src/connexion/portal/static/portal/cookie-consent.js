/*
 * Connexion cookie consent: one self-contained file, no third-party host.
 *
 * On the privacy center the banner is in the page already (#cx-cookie-banner);
 * on the business's own site this script builds it. Paste before </body>:
 *
 *   <script src="https://crm.example.co.th/static/portal/cookie-consent.js" defer
 *     data-consent-url="https://crm.example.co.th/privacy/cookies/consent/"
 *     data-config-url="https://crm.example.co.th/privacy/cookies/config/"
 *     data-language="th"></script>
 *
 * Categories: necessary (always on), preferences, analytics, marketing.
 * Mark every non-essential script with its category; it stays inert until the
 * visitor accepts that category, then it is re-created as a real script:
 *
 *   <script type="text/plain" data-category="analytics" src="/js/stats.js"></script>
 *
 * (An inline marked script runs only where the site's own Content-Security-Policy
 * allows inline scripts.) Optional: data-cookies-analytics="_ga,_gid" names the
 * cookies to delete when the visitor withdraws that category.
 *
 * The choice is kept in the first-party cookie "cx_cookie_consent" (a random
 * visitor ID, the policy version, the choice per category), refusals included;
 * a new policy version brings the banner back. Each choice is sent as proof to
 * data-consent-url. Elements with data-cx-open open the banner again.
 */
(function () {
  "use strict";

  var script =
    document.currentScript || document.querySelector("script[data-cx-cookie-consent]");
  if (!script || window.CxCookieConsent) {
    return;
  }

  var COOKIE = "cx_cookie_consent";
  var CATEGORIES = ["preferences", "analytics", "marketing"];
  var KEEP_DAYS = 180;
  // Fallback words, for a site whose configuration cannot be fetched.
  var TEXTS = {
    th: {
      title: "คุกกี้บนเว็บไซต์นี้",
      intro:
        "เราใช้คุกกี้ที่จำเป็นต่อการทำงานของเว็บไซต์ หากท่านยินยอม เราจะใช้คุกกี้เพื่อจดจำการตั้งค่าของท่าน วัดสถิติการเข้าชม และเพื่อการตลาดด้วย เราจะไม่ตั้งหรือโหลดสิ่งที่ไม่จำเป็นก่อนท่านเลือก",
      accept_all: "ยอมรับทั้งหมด",
      reject_all: "ปฏิเสธทั้งหมด",
      choose: "เลือกตามประเภท",
      save: "บันทึกตัวเลือกของฉัน",
      policy: "นโยบายคุกกี้",
      always_on: "เปิดใช้เสมอ",
      necessary: "จำเป็น",
      necessary_help:
        "เซสชันของท่าน การป้องกันแบบฟอร์มปลอม ภาษาที่ท่านเลือก และตัวเลือกนี้",
      preferences: "การตั้งค่า",
      preferences_help: "จดจำการตั้งค่าที่ท่านเลือก เพื่อให้ใช้เว็บไซต์ได้สะดวกขึ้น",
      analytics: "การวิเคราะห์",
      analytics_help: "นับการเข้าชมและดูว่ามีการใช้เว็บไซต์อย่างไร เพื่อปรับปรุง",
      marketing: "การตลาด",
      marketing_help: "แสดงข้อเสนอที่ตรงกับความสนใจของท่าน รวมถึงบนเว็บไซต์อื่น"
    },
    en: {
      title: "Cookies on this site",
      intro:
        "We use the cookies this site needs to work. With your consent we would also use cookies to remember your preferences, to measure visits and for marketing. Nothing that is not necessary is set or loaded before you choose.",
      accept_all: "Accept all",
      reject_all: "Reject all",
      choose: "Choose by category",
      save: "Save my choices",
      policy: "Cookie policy",
      always_on: "always on",
      necessary: "Necessary",
      necessary_help:
        "Your session, protection against forged forms, your language when you choose one, and this choice.",
      preferences: "Preferences",
      preferences_help: "Remember settings you chose, to make the site easier.",
      analytics: "Analytics",
      analytics_help: "Count visits and see how the site is used, to improve it.",
      marketing: "Marketing",
      marketing_help: "Show you offers that match your interests, on other sites too."
    }
  };

  var data = script.dataset;
  var language = (data.language || document.documentElement.lang || "th").slice(0, 2);
  var settings = {
    consentUrl: data.consentUrl || "",
    configUrl: data.configUrl || "",
    version: parseInt(data.policyVersion || "0", 10) || 1,
    policyUrl: data.policyUrl || "",
    language: language === "en" ? "en" : "th",
    texts: null
  };
  var banner = null;
  var activated = {};

  function words() {
    var fetched = settings.texts && settings.texts[settings.language];
    return fetched || TEXTS[settings.language];
  }

  function readState() {
    var match = document.cookie.match(/(?:^|;\s*)cx_cookie_consent=([^;]*)/);
    if (!match) {
      return null;
    }
    try {
      var state = JSON.parse(decodeURIComponent(match[1]));
      if (state && typeof state.id === "string" && state.c && typeof state.v === "number") {
        return state;
      }
    } catch (error) {
      // A damaged cookie counts as no choice: the banner asks again.
    }
    return null;
  }

  function writeState(state) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie =
      COOKIE +
      "=" +
      encodeURIComponent(JSON.stringify(state)) +
      "; Max-Age=" +
      KEEP_DAYS * 86400 +
      "; Path=/; SameSite=Lax" +
      secure;
  }

  function newVisitorId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 15) | 64; // version 4
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // Re-creates each inert script of an accepted category as a real one, in order.
  function activate(choices) {
    var inert = document.querySelectorAll('script[type="text/plain"][data-category]');
    Array.prototype.forEach.call(inert, function (old) {
      var category = old.getAttribute("data-category");
      if (category !== "necessary" && !choices[category]) {
        return;
      }
      var fresh = document.createElement("script");
      Array.prototype.forEach.call(old.attributes, function (attribute) {
        if (attribute.name !== "type" && attribute.name !== "data-category") {
          fresh.setAttribute(attribute.name, attribute.value);
        }
      });
      fresh.setAttribute("data-cx-category", category);
      fresh.async = false;
      if (!old.src) {
        fresh.text = old.text;
      }
      activated[category] = true;
      old.parentNode.replaceChild(fresh, old);
    });
  }

  function removeCookies(category) {
    var key = "cookies" + category.charAt(0).toUpperCase() + category.slice(1);
    var host = location.hostname;
    var domains = ["", "; Domain=" + host, "; Domain=." + host.split(".").slice(-2).join(".")];
    (data[key] || "").split(",").forEach(function (name) {
      name = name.trim();
      if (!name) {
        return;
      }
      domains.forEach(function (domain) {
        document.cookie = name + "=; Max-Age=0; Path=/" + domain;
      });
    });
  }

  function send(state) {
    if (!settings.consentUrl || !window.fetch) {
      return Promise.resolve();
    }
    return window
      .fetch(settings.consentUrl, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        keepalive: true,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ visitor_id: state.id, policy_version: state.v, choices: state.c })
      })
      .catch(function () {
        // The choice holds in this browser even when the proof could not be sent.
      });
  }

  function choose(choices) {
    var previous = readState();
    var state = {
      v: settings.version,
      id: (previous && previous.id) || newVisitorId(),
      c: choices,
      t: Date.now()
    };
    writeState(state);
    hide();
    var sent = send(state);
    var withdrawn = CATEGORIES.filter(function (category) {
      return previous && previous.c[category] && !choices[category];
    });
    withdrawn.forEach(removeCookies);
    activate(choices);
    document.dispatchEvent(new CustomEvent("cx:cookie-consent", { detail: { choices: choices } }));
    var running = withdrawn.some(function (category) {
      return activated[category];
    });
    if (running) {
      // A script that already ran cannot be stopped: start the page again without it.
      sent.then(function () {
        location.reload();
      });
    }
  }

  function element(tag, properties, children) {
    var node = document.createElement(tag);
    Object.keys(properties || {}).forEach(function (name) {
      if (name === "style") {
        Object.keys(properties.style).forEach(function (rule) {
          node.style[rule] = properties.style[rule];
        });
      } else if (name === "text") {
        node.textContent = properties.text;
      } else {
        node.setAttribute(name, properties[name]);
      }
    });
    (children || []).forEach(function (child) {
      node.appendChild(child);
    });
    return node;
  }

  // The banner for a site that does not render one itself: fixed at the bottom,
  // "accept all" and "reject all" side by side and alike.
  function build() {
    var t = words();
    var button = {
      padding: "0.6em 1.2em",
      border: "1px solid #1f3a5f",
      background: "#1f3a5f",
      color: "#fff",
      borderRadius: "4px",
      fontSize: "1em",
      cursor: "pointer",
      margin: "0 0.5em 0.5em 0"
    };
    var rows = CATEGORIES.map(function (category) {
      return element("li", {}, [
        element("label", {}, [
          element("input", { type: "checkbox", "data-cx-category": category }),
          element("strong", { text: " " + t[category] })
        ]),
        element("div", { text: t[category + "_help"], style: { fontSize: "0.9em" } })
      ]);
    });
    rows.unshift(
      element("li", {}, [
        element("label", {}, [
          element("input", { type: "checkbox", checked: "checked", disabled: "disabled" }),
          element("strong", { text: " " + t.necessary + " (" + t.always_on + ")" })
        ]),
        element("div", { text: t.necessary_help, style: { fontSize: "0.9em" } })
      ])
    );
    var intro = element("p", { text: t.intro + " " });
    if (settings.policyUrl) {
      intro.appendChild(element("a", { href: settings.policyUrl, text: t.policy }));
    }
    var node = element(
      "section",
      {
        id: "cx-cookie-banner",
        "aria-labelledby": "cx-cookie-title",
        "data-testid": "cookie-banner",
        lang: settings.language,
        style: {
          position: "fixed",
          left: "0",
          right: "0",
          bottom: "0",
          zIndex: "2147483000",
          background: "#fff",
          color: "#111",
          borderTop: "2px solid #1f3a5f",
          padding: "1em 1.5em",
          fontFamily: "inherit",
          boxShadow: "0 -2px 8px rgba(0,0,0,.15)",
          maxHeight: "80vh",
          overflowY: "auto"
        }
      },
      [
        element("h2", { id: "cx-cookie-title", text: t.title, style: { margin: "0 0 .5em", fontSize: "1.2em" } }),
        intro,
        element("div", {}, [
          element("button", { type: "button", "data-cx-action": "accept-all", text: t.accept_all, style: button }),
          element("button", { type: "button", "data-cx-action": "reject-all", text: t.reject_all, style: button })
        ]),
        element("details", {}, [
          element("summary", { text: t.choose }),
          element("ul", { style: { listStyle: "none", paddingLeft: "0" } }, rows),
          element("button", { type: "button", "data-cx-action": "save", text: t.save, style: button })
        ])
      ]
    );
    node.hidden = true;
    document.body.appendChild(node);
    return node;
  }

  function checked() {
    var choices = {};
    CATEGORIES.forEach(function (category) {
      var box = banner.querySelector('input[data-cx-category="' + category + '"]');
      choices[category] = Boolean(box && box.checked);
    });
    return choices;
  }

  function wire(node) {
    node.addEventListener("click", function (event) {
      var control = event.target.closest("[data-cx-action]");
      if (!control) {
        return;
      }
      var action = control.getAttribute("data-cx-action");
      var all = {};
      CATEGORIES.forEach(function (category) {
        all[category] = action === "accept-all";
      });
      choose(action === "save" ? checked() : all);
    });
  }

  function show() {
    if (!banner) {
      banner = document.getElementById("cx-cookie-banner") || build();
      wire(banner);
    }
    var state = readState();
    CATEGORIES.forEach(function (category) {
      var box = banner.querySelector('input[data-cx-category="' + category + '"]');
      if (box) {
        box.checked = Boolean(state && state.c[category]);
      }
    });
    banner.hidden = false;
  }

  function hide() {
    if (banner) {
      banner.hidden = true;
    }
  }

  function start() {
    var state = readState();
    if (state && state.v === settings.version) {
      activate(state.c);
    } else {
      // No choice yet, or one made under an earlier policy: ask (again).
      show();
    }
    document.addEventListener("click", function (event) {
      if (event.target.closest("[data-cx-open]")) {
        event.preventDefault();
        show();
      }
    });
  }

  function whenReady() {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", start);
    } else {
      start();
    }
  }

  window.CxCookieConsent = {
    open: function () {
      show();
    },
    choices: function () {
      var state = readState();
      return state ? state.c : null;
    },
    visitorId: function () {
      var state = readState();
      return state ? state.id : "";
    }
  };

  if (settings.configUrl && window.fetch) {
    window
      .fetch(settings.configUrl, { credentials: "omit" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (config) {
        if (config) {
          settings.version = parseInt(config.version, 10) || settings.version;
          settings.texts = config.texts || null;
          settings.policyUrl = config.policy_url || settings.policyUrl;
        }
      })
      .catch(function () {
        // Unreachable configuration: the built-in words and the given version.
      })
      .then(whenReady);
  } else {
    whenReady();
  }
})();
