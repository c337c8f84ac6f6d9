// The goodbye page after DELETE /me (privacy.js). Shown only to the tab that just erased its account; anyone
// else who opens the address goes to the start page.
import { h, link, navigate, page } from "../core.js";

const ERASED_FLAG = "certtracker.erased";

export default async function render(main) {
  if (!sessionStorage.getItem(ERASED_FLAG)) {
    navigate("/", { replace: true });
    return;
  }
  sessionStorage.removeItem(ERASED_FLAG);
  page(
    main,
    "Your account is deleted",
    h("p", { role: "status" }, "Your account and your personal data are erased, and you are signed out everywhere. Your results remain only as anonymous numbers in the program's statistics."),
    h("p", {}, "Thank you for using CertTracker. To take exams again later, create a new account."),
    h("p", {}, link("/", "Go to the start page")),
  );
}
