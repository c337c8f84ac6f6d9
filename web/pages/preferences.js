// My email choices (GET/PUT /me/preferences): the notification kinds, and program news (marketing).
import { api, button, field, h, link, notice, onSubmit, page } from "../core.js";
import { MARKETING, TOPICS } from "./account.js";

function summary(chosen) {
  const on = Object.keys(TOPICS).filter((topic) => chosen.notifications[topic]);
  const kinds = on.length ? `${on.length} of ${Object.keys(TOPICS).length} kinds of notification` : "no notifications";
  return `Your choices are saved: ${kinds}, and ${chosen.marketing_opt_in ? "program news" : "no program news"}.`;
}

function preferencesForm(chosen, status) {
  const form = h(
    "form",
    { class: "narrow" },
    h(
      "fieldset",
      {},
      h("legend", {}, "Notifications"),
      h("p", { class: "hint" }, "Emails about your own account and exams. Each one also carries a link to stop that kind."),
      Object.entries(TOPICS).map(([topic, [label, hint]]) =>
        field(label, `notifications.${topic}`, { type: "checkbox", value: chosen.notifications[topic], hint }),
      ),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Program news"),
      field("Yes, send me program news", "marketing_opt_in", { type: "checkbox", value: chosen.marketing_opt_in, hint: MARKETING[1] }),
    ),
    h(
      "p",
      { class: "hint" },
      "Emails you cannot turn off here are the ones your account needs: links to confirm an address or reset a password, and notices of changes to your account.",
    ),
    h("div", { class: "actions" }, button("Save my choices")),
  );
  onSubmit(form, async (typed) => {
    const notifications = Object.fromEntries(Object.keys(TOPICS).map((topic) => [topic, typed[`notifications.${topic}`]]));
    const saved = await api("PUT", "/me/preferences", { body: { notifications, marketing_opt_in: typed.marketing_opt_in } });
    const message = notice(status, summary(saved));
    message.setAttribute("tabindex", "-1");
    message.focus();
  });
  return form;
}

export default async function render(main) {
  const chosen = await api("GET", "/me/preferences");
  const status = h("div");
  page(
    main,
    "Email preferences",
    status,
    preferencesForm(chosen, status),
    h("p", { class: "muted" }, "Every change is kept with its time in the ", link("/profile", "change history of your profile"), "."),
  );
}
