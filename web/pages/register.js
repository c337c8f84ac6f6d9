// Registration for candidates who are not partner employees (those get their account from PartnerNet):
// POST /auth/register, then a page that says to open the emailed link.
import { ApiError, api, button, field, h, link, navigate, onSubmit, page, showError } from "../core.js";
import { COUNTRIES } from "./countries.js";

const PARTNER_FAQ = "/faq#partners";

function privacySummary() {
  return h(
    "div",
    { class: "panel public-panel privacy-summary" },
    h("h2", {}, "Privacy notice"),
    h(
      "p",
      {},
      "We use what you enter here to register you for the Accreditation and Certification Program and its exams, certificates and awards. " +
        "It may be transferred to the program's operators and authorized partners in other countries, including the United States. " +
        "Marketing emails are sent only if you ask for them below; every email carries an unsubscribe link, and your preferences are in the portal.",
    ),
    h("p", {}, link("/faq#privacy", "Read the whole privacy notice"), "."),
  );
}

export default async function render(main, { me }) {
  if (me) {
    navigate("/dashboard", { replace: true });
    return;
  }
  const form = h(
    "form",
    { class: "narrow", "aria-labelledby": "page-title" },
    field("Username", "username", {
      autocomplete: "username",
      required: true,
      minlength: 3,
      maxlength: 32,
      pattern: "[A-Za-z0-9][A-Za-z0-9._\\-]+",
      autocapitalize: "none",
      spellcheck: "false",
      hint: "3 to 32 letters, digits, dots, dashes or underscores, starting with a letter or digit. Not case-sensitive.",
    }),
    field("Email address", "email", {
      type: "email",
      autocomplete: "email",
      required: true,
      maxlength: 254,
      spellcheck: "false",
      hint: "We email you a link to confirm it.",
    }),
    field("Password", "password", {
      type: "password",
      autocomplete: "new-password",
      required: true,
      minlength: 12,
      maxlength: 128,
      hint: "At least 12 characters, any characters you like. A few unrelated words work well; a common password or one containing your username is refused.",
    }),
    field("First name", "first_name", { autocomplete: "given-name", required: true, maxlength: 100 }),
    field("Last name", "last_name", { autocomplete: "family-name", required: true, maxlength: 100 }),
    field("Country", "country", {
      autocomplete: "country",
      required: true,
      options: [["", "Choose your country"], ...COUNTRIES],
      value: "",
    }),
    privacySummary(),
    field("I have read and accept the privacy notice", "accept_privacy_notice", { type: "checkbox", required: true }),
    field("Send me news and offers about the program by email", "marketing_opt_in", {
      type: "checkbox",
      hint: "Optional. You can change this at any time in your preferences, or with the link in any such email.",
    }),
    h("div", { class: "actions" }, button("Create my account"), link("/", "I already have an account")),
  );
  onSubmit(form, async (values) => {
    try {
      const answer = await api("POST", "/auth/register", { body: values, quiet401: true });
      registered(main, values.email, answer);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "partner_email_domain") throw error;
      // The API's PartnerNet explanation, at the email field, and where to read more after it.
      // The refusal in its first sentence; the rest, in plain text, says what to do (read out with the field).
      const cut = error.message.indexOf(". ") + 1 || error.message.length;
      showError(form, new ApiError(error.status, { code: error.code, message: error.message.slice(0, cut), field: "email" }));
      const message = form.querySelector('[data-field="email"] .field-error');
      message.append(" ", h("span", { class: "explanation" }, error.message.slice(cut).trim(), " ", link(PARTNER_FAQ, "Read what partner employees do instead.")));
    }
  });
  page(
    main,
    "Create your CertTracker account",
    h(
      "p",
      { class: "notice notice-warning narrow" },
      h("strong", {}, "Partner employees: do not register here. "),
      "Your account is created from your PartnerNet contact record within 24 hours, so that your company receives credit. ",
      link(PARTNER_FAQ, "Read the first-time users' FAQ"),
      ".",
    ),
    form,
  );
}

function registered(main, email, answer) {
  const delayed = answer.status === "verification_email_delayed";
  page(
    main,
    delayed ? "Your registration is received" : "Check your email",
    h("p", { class: `notice ${delayed ? "notice-warning" : "notice-success"}`, role: "status" }, answer.message),
    delayed
      ? h("p", {}, "In a few minutes, ", link("/recover", "ask for a new link"), ", or sign in: signing in sends a new confirmation link while your address is not confirmed.")
      : h(
          "p",
          {},
          "We wrote to ",
          h("strong", {}, email),
          ". Open the link in that email to confirm your address; it works for 24 hours. Nothing there? Check your spam folder, or sign in: signing in sends a new link while your address is not confirmed.",
        ),
    h("p", {}, link("/", "Go to sign in")),
  );
}
