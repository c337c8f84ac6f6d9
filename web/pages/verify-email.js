// The emailed verification link (/verify-email#token=…): confirms the address as soon as the page opens.
import { ApiError, api, errorText, h, link, page } from "../core.js";
import { missingToken } from "./link-pages.js";

export default async function render(main, { me }) {
  const token = missingToken(main, "Confirm your email address");
  if (!token) return;
  page(main, "Confirming your email address…", h("p", { role: "status" }, "One moment."));
  try {
    const answer = await api("POST", "/auth/verify-email", { body: { token }, quiet401: true });
    page(
      main,
      "Email address confirmed",
      h("p", { role: "status" }, answer.message),
      h("p", {}, me ? link("/dashboard", "Go to your dashboard") : link("/", "Sign in")),
    );
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    page(
      main,
      "This link cannot be used",
      h("p", { role: "alert" }, errorText(error)),
      h("p", {}, "Signing in sends a new confirmation link if your address is not confirmed yet. ", link("/", "Sign in")),
    );
  }
}
