// The First Time Users FAQ and the privacy notice (the seed page's), at /faq; /faq#privacy, /faq#partners and
// the other questions' ids scroll to their part. The support addresses are deployment parameters, so the page links to /contact instead.
import { h, link, page } from "../core.js";

// Each answer is short, so all are shown: a reader finds them with the page search or a heading list.
function question(id, text, ...answer) {
  return h("section", { id, tabindex: "-1", "aria-labelledby": `${id}-title` }, h("h3", { id: `${id}-title` }, text), answer);
}

const p = (...content) => h("p", {}, ...content);

function questions() {
  return [
    question(
      "partners",
      "I work for a partner company. Do I register?",
      p(
        h("strong", {}, "No: please do not use the self-registration. "),
        "Your CertTracker account must be associated with your PartnerNet contact record, so that your company receives credit towards the partner program's requirements.",
      ),
      p(
        "Ask your company's primary partner contact to check that you have an active PartnerNet contact record. Once it exists, a CertTracker account with your partner details is created for you automatically ",
        h("strong", {}, "within 24 hours"),
        ".",
      ),
      p("Still no account a day after your record was created? ", link("/contact", "Contact the Program Support Team"), ", topic “My partner account (PartnerNet)”."),
    ),
    question(
      "credentials",
      "My PartnerNet username and password do not work here",
      p("PartnerNet and CertTracker use different sign-in credentials, so your PartnerNet ones may not work here."),
      p("If you have a CertTracker account and do not remember how to sign in, use ", link("/recover", "account login recovery"), "."),
    ),
    question(
      "recovery",
      "I forgot my username or password",
      p(
        link("/recover", "Account login recovery"),
        " emails your username, or a link to choose a new password, to the email address of your account. The password link works once, for 30 minutes. Choosing a new password signs you out everywhere.",
      ),
    ),
    question(
      "register",
      "I am not a partner employee. How do I start?",
      p(
        link("/register", "Create an account"),
        " with your name, email address and country, then open the link we email you to confirm the address (it works for 24 hours) and sign in.",
      ),
    ),
    question(
      "help",
      "I cannot sign in, or I need more help",
      p(
        link("/contact", "Contact the Program Support Team"),
        ": no account is needed, and you get a reference for your request by email. Once signed in, use Support instead, where your requests are listed.",
      ),
    ),
  ];
}

function privacyNotice() {
  return h(
    "section",
    { id: "privacy", tabindex: "-1", "aria-labelledby": "privacy-title" },
    h("h2", { id: "privacy-title" }, "Privacy notice"),
    p(
      "The program collects and processes personal data according to applicable laws. The information collected, which includes the fields of the registration form, is necessary to register you for the Accreditation, Certification or Authorization program, and for the subscription, award, program or incentive you submit it for (the “registration”).",
    ),
    p(
      "If you agree to receive them (a box on the registration form, unticked unless you tick it, and in your preferences), your contact information may also be used to send you related marketing messages from the program and its channel partners.",
    ),
    p(
      "The personal information you provide is transferred to the program's operators and their authorized partners in different parts of the world, including the U.S., which may have less protective data protection laws than the region you are in (including the European Union). Steps have been taken so that the information, if transferred, receives an adequate level of protection. If you do not agree to your personal data being processed by the program's operators or their authorized partners, we may not be able to complete your registration.",
    ),
    p(
      "Every email we send carries an unsubscribe link, and you may opt out of future emails at any time. Once signed in, you can change your email preferences in the portal (Preferences), download a copy of your data or delete your account (Privacy).",
    ),
    p("Your personal information is stored and kept according to the program's privacy policy. The program is not responsible for the privacy practices of third parties."),
  );
}

export default async function render(main) {
  page(
    main,
    "First time users",
    h("p", { class: "narrow" }, "Questions people ask before their first sign-in, and the privacy notice you accept when you register."),
    h("div", { class: "narrow faq" }, h("h2", {}, "Frequently asked questions"), questions(), privacyNotice()),
  );
  // The page is built after the browser looked for the fragment's target: go there now, and read it out.
  const target = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  if (target && main.contains(target)) {
    target.scrollIntoView();
    target.focus({ preventScroll: true });
  }
}
