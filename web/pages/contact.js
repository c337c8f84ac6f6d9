// Contacting the Program Support Team without an account (for sign-in problems): POST /support/requests.
// Signed-in candidates file from /support instead, where their requests are listed.
import { ApiError, api, button, field, h, idempotencyKey, link, onSubmit, page } from "../core.js";
import { requestFields } from "./support-request.js";

// The API's own "Try again in …" gives way to the Retry-After in words that errorText adds after it.
function oneWait(error) {
  if (error instanceof ApiError && error.retryAfter !== null) {
    error.message = error.message.replace(/\s*Try again in [^.]*\.\s*/g, " ").trim();
  }
  return error;
}

export default async function render(main, { me }) {
  if (me) {
    page(
      main,
      "Contact the Program Support Team",
      h("p", { class: "notice notice-info", role: "status" }, "You are signed in: file your request from your Support page, where your requests and their answers are listed."),
      h("p", {}, link("/support", "Go to Support", { class: "button" })),
    );
    return;
  }
  // One key per form shown: a double submit, or a retry after a lost answer, files one request.
  let key = idempotencyKey();
  const form = h(
    "form",
    { class: "narrow", "aria-labelledby": "page-title" },
    field("Your name", "name", { autocomplete: "name", required: true, maxlength: 100 }),
    field("Your email address", "email", {
      type: "email",
      autocomplete: "email",
      required: true,
      maxlength: 254,
      spellcheck: "false",
      hint: "We answer here, and send a confirmation with your request's reference.",
    }),
    ...requestFields(),
    h("div", { class: "actions" }, button("Send to the Program Support Team")),
  );
  onSubmit(form, async (values) => {
    let answer;
    try {
      answer = await api("POST", "/support/requests", { body: values, headers: { "Idempotency-Key": key }, quiet401: true });
    } catch (error) {
      if (error instanceof ApiError && error.code === "idempotency_key_reused") {
        // An earlier send of this form was filed (its answer was lost) and the form has changed since.
        key = idempotencyKey();
        throw new ApiError(error.status, {
          message: "An earlier send of this form may already have been filed: look for its confirmation email. To send this version as a new request, press the button again.",
        });
      }
      throw oneWait(error);
    }
    page(
      main,
      "Your request is filed",
      h("p", { class: "notice notice-success", role: "status" }, answer.message),
      h("dl", { class: "facts" }, h("dt", {}, "Reference"), h("dd", {}, h("strong", {}, answer.reference))),
      h("p", {}, "Quote the reference in any message about this request. The Program Support Team answers by email."),
      h("p", {}, link("/", "Back to the start page")),
    );
  });
  page(
    main,
    "Contact the Program Support Team",
    h(
      "p",
      { class: "narrow" },
      "Cannot sign in, or do not have an account yet? Write to us here. Have an account and can sign in? Sign in and use Support: your requests are listed there. ",
      "Forgot your username or password? ",
      link("/recover", "Account recovery"),
      " emails them at once.",
    ),
    form,
  );
}
