// The link sent to the current address when someone asks to change it (/cancel-email-change#token=…).
import { api } from "../core.js";
import { confirmPage } from "./link-pages.js";

export default async function render(main) {
  confirmPage(main, {
    title: "Cancel the email address change",
    explanation:
      "Someone signed in to your account asked to change its email address. Cancelling keeps your current address and ends every session of the account, so whoever asked is signed out. Then change your password.",
    action: "Cancel the change and end every session",
    call: async (token) => (await api("POST", "/auth/cancel-email-change", { body: { token }, quiet401: true })).message,
  });
}
