// What a support request is, wherever one is written (signed in, or without an account): its topics and the
// fields the API takes, with its limits, so both forms say the same.
import { field } from "../core.js";

export const CATEGORIES = [
  ["login", "Signing in or my account"],
  ["exams", "Exams and registrations"],
  ["certificates", "Certificates and credentials"],
  ["partner_account", "My partner account (PartnerNet)"],
  ["other", "Something else"],
];

export const CATEGORY = Object.fromEntries(CATEGORIES);

export function requestFields() {
  return [
    field("Topic", "category", { options: [["", "Choose a topic"], ...CATEGORIES], value: "", required: true }),
    field("Subject", "subject", { required: true, minlength: 3, maxlength: 150, hint: "One line, 3 to 150 characters." }),
    field("Message", "message", {
      type: "textarea",
      required: true,
      minlength: 10,
      maxlength: 5000,
      rows: 8,
      hint: "What happened, and what you tried: 10 to 5,000 characters. Quote an exam code or a reference if you have one; never your password.",
    }),
  ];
}
