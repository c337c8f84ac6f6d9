// The portal's shell: one page (index.html) that routes itself. Each route's module is loaded when first
// visited, so a page costs index.html, app.css, app.js, core.js and its own module: five requests.
import { ApiError, api, errorText, h, navigate, page, session, setRouter } from "./core.js";

// path → [module under pages/, whether it needs a session]. Emailed links carry their token in the fragment.
const ROUTES = {
  "/": ["home.js", false],
  "/register": ["register.js", false],
  "/recover": ["recover.js", false],
  "/reset-password": ["reset-password.js", false],
  "/set-password": ["reset-password.js", false],
  "/verify-email": ["verify-email.js", false],
  "/unsubscribe": ["unsubscribe.js", false],
  "/cancel-email-change": ["cancel-email-change.js", false],
  "/confirm-partner": ["confirm-partner.js", false],
  "/contact": ["contact.js", false],
  "/faq": ["faq.js", false],
  "/dashboard": ["dashboard.js", true],
  "/profile": ["profile.js", true],
  "/preferences": ["preferences.js", true],
  "/privacy": ["privacy.js", true],
  "/account-deleted": ["account-deleted.js", false],
  "/exams": ["exams.js", true],
  "/exams/registrations": ["registrations.js", true],
  "/exams/history": ["history.js", true],
  "/support": ["support.js", true],
  "/company": ["company.js", true],
  "/credentials": ["credentials.js", true],
  "/credentials/shares": ["shares.js", true],
  "/credentials/name": ["name-change.js", true],
  "/verify": ["verify.js", false],
};
// Pages that answer one path segment more, their parameter: /verify/K7QM-2XWD-9PRT-HB4C, /shares/<token>.
const WITH_PARAMETER = { "/verify": ["verify.js", false], "/shares": ["shared.js", false] };

function routeOf(path) {
  if (path in ROUTES) return ROUTES[path];
  return WITH_PARAMETER[path.slice(0, path.lastIndexOf("/"))] || null;
}

const SIGNED_IN_NAV = [
  ["/dashboard", "Dashboard"],
  ["/exams", "Exams"],
  ["/exams/history", "History"],
  ["/credentials", "Credentials"],
  ["/profile", "Profile"],
  ["/support", "Support"],
];
const SIGNED_OUT_NAV = [
  ["/", "Sign in"],
  ["/register", "Register"],
  ["/faq", "First time users"],
  ["/verify", "Verify a certificate"],
  ["/contact", "Contact support"],
];

const main = document.getElementById("main");
const nav = document.getElementById("nav");

function renderNav(me) {
  // A partner's program managers also see their company's credit report.
  const links = !me ? SIGNED_OUT_NAV : me.partner_manager ? [...SIGNED_IN_NAV, ["/company", "My company"]] : SIGNED_IN_NAV;
  // The current section: the item whose path is the longest prefix of this page's (/exams/registrations is Exams).
  const here = location.pathname;
  const current = links
    .map(([href]) => href)
    .filter((href) => here === href || (href !== "/" && here.startsWith(href + "/")))
    .sort((a, b) => b.length - a.length)[0];
  const items = links.map(([href, text]) =>
    h("li", {}, h("a", { href, "aria-current": href === current ? "page" : false }, text)),
  );
  if (me) {
    const signOut = h("button", { type: "button", class: "link-button", onclick: signOutNow }, "Sign out");
    items.push(h("li", {}, signOut));
  }
  nav.replaceChildren(h("ul", {}, items));
}

async function signOutNow() {
  try {
    await api("POST", "/auth/logout", { quiet401: true });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
  session.end();
  navigate("/?signed-out=1");
}

let rendering = 0;

async function route() {
  const ticket = ++rendering;
  const [module, needsSession] = routeOf(location.pathname) || [null, false];
  main.setAttribute("aria-busy", "true");
  // A page that must not be indexed (the verification page) says so itself, for as long as it shows.
  document.head.querySelector('meta[name="robots"]')?.remove();
  try {
    const me = await session.me();
    if (ticket !== rendering) return;
    renderNav(me);
    if (!module) {
      page(main, "Page not found", h("p", {}, "There is no such page. ", h("a", { href: me ? "/dashboard" : "/" }, "Go to the start page.")));
      return;
    }
    if (needsSession && !me) {
      navigate("/?next=" + encodeURIComponent(location.pathname + location.search), { replace: true });
      return;
    }
    const { default: render } = await import(`./pages/${module}`);
    if (ticket !== rendering) return;
    await render(main, { me });
  } catch (error) {
    if (ticket !== rendering) return;
    console.error(error);
    const text = error instanceof ApiError ? errorText(error) : "This page could not be shown. Reload to try again.";
    page(main, "Something went wrong", h("p", { role: "alert" }, text));
  } finally {
    if (ticket === rendering) main.removeAttribute("aria-busy");
  }
}

// Links inside the portal move without a reload; others (the API docs, /_local tools, downloads) go out.
document.addEventListener("click", (event) => {
  const anchor = event.target.closest("a[href]");
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || anchor.target || anchor.hasAttribute("download")) return;
  if (!routeOf(url.pathname)) return;
  event.preventDefault();
  if (url.pathname + url.search + url.hash === location.pathname + location.search + location.hash) return;
  navigate(url.pathname + url.search + url.hash);
});

window.addEventListener("popstate", route);
setRouter(route);
route();
