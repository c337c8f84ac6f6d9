// The unsubscribe link in an email (/unsubscribe#token=…). Mail clients use RFC 8058's one-click POST instead.
import { api } from "../core.js";
import { confirmPage } from "./link-pages.js";

export default async function render(main) {
  confirmPage(main, {
    title: "Unsubscribe",
    explanation: "Stop the emails this link came with? You can turn them on again in your preferences.",
    action: "Unsubscribe",
    call: async (token) => (await api("POST", "/unsubscribe?token=" + encodeURIComponent(token), { quiet401: true })).message,
  });
}
