// The front door (the seed page): what the portal does, sign-in, account recovery and the first-time users' FAQ.
import { api, button, field, h, link, navigate, notice, onSubmit, page, session } from "../core.js";

const OFFERS = [
  "Registering for exams at Pearson VUE",
  "Viewing and updating contact and demographic information",
  "Viewing assessment and exam history",
  "Reviewing requirements to achieve accreditations and certifications",
  "Viewing accreditation and certification progress",
  "Requesting electronic certificates",
  "Forwarding credentials to a third party",
  "Downloading program logos",
  "Contacting the Program Support Team online",
];

// Only a path inside the portal is followed after sign-in, never another site.
function nextPath() {
  const next = new URLSearchParams(location.search).get("next") || "";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/dashboard";
}

export default async function render(main, { me }) {
  if (me) {
    navigate(nextPath(), { replace: true });
    return;
  }
  const form = h(
    "form",
    { "aria-labelledby": "sign-in-title" },
    field("Username", "username", { autocomplete: "username", required: true, maxlength: 254, autocapitalize: "none", spellcheck: "false" }),
    field("Password", "password", { type: "password", autocomplete: "current-password", required: true, maxlength: 1024 }),
    h("div", { class: "actions" }, button("Sign in"), link("/recover", "Forgot your username or password?")),
  );
  onSubmit(form, async ({ username, password }) => {
    const answer = await api("POST", "/auth/login", { body: { username, password }, quiet401: true });
    session.start(answer.csrf_token);
    navigate(nextPath(), { replace: true });
  });

  const signIn = h(
    "section",
    { class: "panel" },
    h("h2", { id: "sign-in-title" }, "Sign in"),
    form,
    h("p", {}, "New here? ", link("/register", "Create an account"), " — but if you work for a partner company, read ", link("/faq", "First time users"), " first."),
  );
  page(
    main,
    "Welcome to CertTracker",
    h(
      "div",
      { class: "columns sign-in-first" },
      h(
        "section",
        {},
        h("p", {}, "CertTracker is the Accreditation and Certification Program's management tool. It lets candidates manage their assessment and exam credentials, including:"),
        h("ul", { class: "plain" }, OFFERS.map((offer) => h("li", {}, offer))),
        h("h2", {}, "Account login recovery"),
        h("p", {}, link("/recover", "Forgot your username or password?"), " We email your username, or a link to choose a new password, to the address on your account."),
        h("h2", {}, "First time users"),
        h("p", {}, "Partner employees: do not register yourself. Your account is created from your PartnerNet contact record within 24 hours, so that your company receives credit. ", link("/faq", "Read the first-time users' FAQ.")),
      ),
      signIn,
    ),
  );
  const query = new URLSearchParams(location.search);
  if (query.has("signed-out")) notice(main.querySelector(".panel"), "You are signed out.");
  else if (query.has("next")) notice(main.querySelector(".panel"), "Sign in to continue.", { kind: "info" });
}
