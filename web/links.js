// The links CertTracker emails: /verify-email, /reset-password, /unsubscribe and /cancel-email-change, each with #token=…
// The token is in the fragment, so it never reaches a server log; it is removed from the address bar at once.
(function () {
  "use strict";
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
  if (!token) return;
  history.replaceState(null, "", window.location.pathname);

  async function post(path, body) {
    const response = await fetch("/api" + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.ok) return { ok: true, body: response.status === 204 ? null : await response.json() };
    const answer = await response.json().catch(() => ({}));
    return { ok: false, message: (answer.error && answer.error.message) || "Something went wrong. Try again." };
  }

  function show(id) {
    document.getElementById("placeholder").hidden = true;
    document.getElementById(id).hidden = false;
  }

  if (window.location.pathname === "/verify-email") {
    show("verify-email");
    post("/auth/verify-email", { token }).then((result) => {
      document.querySelector("#verify-email h2").textContent = result.ok ? "Email address confirmed" : "Link not valid";
      document.getElementById("verify-result").textContent = result.ok ? result.body.message : result.message;
    });
  } else if (window.location.pathname === "/unsubscribe") {
    // Only a click unsubscribes: mail scanners that open links must not.
    show("unsubscribe");
    document.getElementById("unsubscribe-button").addEventListener("click", async (event) => {
      const result = await post("/unsubscribe?token=" + encodeURIComponent(token));
      document.getElementById("unsubscribe-result").textContent = result.ok ? result.body.message : result.message;
      if (result.ok) event.target.hidden = true;
    });
  } else if (window.location.pathname === "/cancel-email-change") {
    show("cancel-email-change");
    document.getElementById("cancel-email-change-button").addEventListener("click", async (event) => {
      const result = await post("/auth/cancel-email-change", { token });
      document.getElementById("cancel-email-change-result").textContent = result.ok ? result.body.message : result.message;
      if (result.ok) event.target.hidden = true;
    });
  } else if (window.location.pathname === "/reset-password") {
    show("reset-password");
    document.getElementById("reset-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const password = document.getElementById("new-password").value;
      const result = await post("/auth/password-reset", { token, new_password: password });
      document.getElementById("reset-result").textContent = result.ok
        ? "Your password is changed and every session has ended. You can log in with the new password."
        : result.message;
      if (result.ok) document.getElementById("reset-form").hidden = true;
    });
  }
})();
