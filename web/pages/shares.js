// My shares (/credentials/shares): send an employer or customer a link to the credentials I choose, for as long as I
// choose, and see whether and when it was opened; revoke a link at once. ?credential=ID ticks that one in the form.
import { ApiError, address, api, button, cell, dateText, errorText, field, h, idempotencyKey, notice, onSubmit, page } from "../core.js";

const SHAREABLE = new Set(["earned", "expiring", "expired"]);
const DURATIONS = [["7", "7 days"], ["14", "14 days"], ["30", "30 days"], ["60", "60 days"], ["90", "90 days"]];
const STATUS = { active: ["tag tag-pass", "Active"], expired: ["tag", "Expired"], revoked: ["tag tag-fail", "Revoked"] };

function credentialChoices(held, chosen) {
  const boxes = held.map((credential) =>
    h(
      "div",
      { class: "field field-checkbox" },
      h("input", { type: "checkbox", id: `share-${credential.credential_id}`, value: credential.credential_id, checked: chosen === credential.credential_id || held.length === 1, "data-credential": "" }),
      h("label", { for: `share-${credential.credential_id}` }, credential.title, credential.status === "expired" ? h("span", { class: "muted" }, " (expired)") : null),
    ),
  );
  return h(
    "fieldset",
    { class: "field", "data-field": "credential_ids" },
    h("legend", {}, "Credentials to share"),
    ...boxes,
    h("p", { class: "field-error", hidden: true }),
  );
}

function views(share) {
  const { count, first_viewed_at: first, last_viewed_at: last } = share.views;
  if (!count) return h("span", { class: "muted" }, "Not opened yet");
  const times = count === 1 ? `on ${dateText(first, { time: true })}` : `first ${dateText(first, { time: true })}, last ${dateText(last, { time: true })}`;
  return h("span", {}, `${count} ${count === 1 ? "view" : "views"}`, h("br"), h("span", { class: "muted" }, times));
}

export default async function render(main) {
  const [held, first] = await Promise.all([api("GET", "/me/credentials").then((answer) => answer.credentials), api("GET", "/me/shares")]);
  const shareable = held.filter((credential) => SHAREABLE.has(credential.status));
  const chosen = new URLSearchParams(location.search).get("credential");
  const said = h("div", {});
  const listHolder = h("div", {});

  // Said where a screen reader and the eye both go next.
  function tell(text, kind = "success") {
    const told = notice(said, text, { kind });
    told.tabIndex = -1;
    told.focus();
  }

  function newForm() {
    const key = idempotencyKey(); // sent twice (a double click, a retry), the form makes one share
    const form = h(
      "form",
      {},
      credentialChoices(shareable, chosen),
      field("Recipient's email", "recipient_email", { type: "email", required: true, autocomplete: "off", maxlength: 254 }),
      field("The link works for", "expires_in_days", { options: DURATIONS, value: "30" }),
      field("A note to them (optional)", "message", { type: "textarea", maxlength: 500, rows: 3, hint: "Plain text, at most 500 characters." }),
      h("div", { class: "actions" }, button("Share")),
    );
    return onSubmit(form, async ({ recipient_email, expires_in_days, message }) => {
      const credential_ids = [...form.querySelectorAll("input[data-credential]:checked")].map((box) => box.value);
      const body = { recipient_email, credential_ids, expires_in_days: Number(expires_in_days) };
      if (message.trim()) body.message = message;
      const shared = await api("POST", "/me/shares", { body, headers: { "Idempotency-Key": key } });
      form.replaceWith(newForm());
      tell(`${shared.message} The link works until ${dateText(shared.expires_at)}.`);
      await refresh();
    });
  }

  async function revoke(share, button) {
    button.disabled = true;
    try {
      await api("DELETE", `/me/shares/${share.share_id}`);
      tell(`The link sent to ${share.recipient_email} no longer works.`);
      await refresh();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      button.disabled = false;
      tell(errorText(error), "error");
    }
  }

  // Revoking asks first, in place: the link stops at once and cannot be turned back on.
  function revokeButton(share) {
    const holder = h("div", { class: "revoke" });
    const ask = h("button", { type: "button", class: "secondary", "aria-label": `Revoke the link sent to ${share.recipient_email}` }, "Revoke");
    ask.addEventListener("click", () => {
      const yes = h("button", { type: "button", class: "danger", "aria-label": `Yes, revoke the link sent to ${share.recipient_email}` }, "Yes, revoke");
      const keep = h("button", { type: "button", class: "secondary" }, "Keep it");
      yes.addEventListener("click", () => revoke(share, yes));
      keep.addEventListener("click", () => {
        holder.replaceChildren(ask);
        ask.focus();
      });
      holder.replaceChildren(h("p", {}, "The link stops working at once, for good."), yes, " ", keep);
      yes.focus();
    });
    holder.append(ask);
    return holder;
  }

  const row = (share) => {
    const [tagClass, word] = STATUS[share.status] || ["tag", share.status];
    const action = share.status === "active" ? revokeButton(share) : null;
    return h(
      "tr",
      {},
      cell("Recipient", h("span", { class: "share-recipient" }, address(share.recipient_email))),
      cell("Credentials", share.credentials.map((credential) => credential.title).join(", ")),
      cell("Shared", dateText(share.created_at)),
      // The date the link was made to work until stays; a revoked one says when it was revoked beside its status.
      cell(share.status === "expired" ? "Expired" : "Until", dateText(share.expires_at)),
      cell("Status", h("span", { class: tagClass }, word), share.status === "revoked" && share.revoked_at ? h("span", { class: "muted" }, ` on ${dateText(share.revoked_at)}`) : null),
      cell("Views", views(share)),
      cell("", action),
    );
  };

  function showList(answer) {
    if (!answer.shares.length) {
      listHolder.replaceChildren(h("p", {}, "You have not shared any credentials yet."));
      return;
    }
    const head = h("tr", {}, ["Recipient", "Credentials", "Shared", "Until", "Status", "Views", ""].map((name) => h("th", { scope: "col" }, name)));
    const table = h("table", { class: "stack", "aria-labelledby": "my-shares-title" }, h("thead", {}, head), h("tbody", {}, answer.shares.map(row)));
    listHolder.replaceChildren(h("p", { class: "muted" }, "Newest first. You get an email the first time a link is opened."), h("div", { class: "table-wrap" }, table));
  }

  async function refresh() {
    try {
      showList(await api("GET", "/me/shares"));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error; // done all the same; the list shows it on the next visit
    }
  }

  const intro = h(
    "p",
    {},
    "Send an employer or a customer a link to the credentials you choose. They see your name and each credential's status at the moment they look. The link stops working when it expires or when you revoke it.",
  );
  const formPanel = h("section", { class: "panel", "aria-labelledby": "new-share-title" }, h("h2", { id: "new-share-title" }, "New share"));
  formPanel.append(shareable.length ? newForm() : h("p", {}, "You have no credentials to share yet. ", h("a", { href: "/credentials" }, "See what each one takes.")));
  const mine = h("section", { "aria-labelledby": "my-shares-title" }, h("h2", { id: "my-shares-title" }, "Your shares"), listHolder);
  page(main, "Share your credentials", intro, said, formPanel, mine);
  showList(first);
}
