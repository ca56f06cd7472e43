/**
 * Citizen identity primitives: resident ID numbers (GB 11643-1999) — validation, normalisation, masking and
 * synthetic generation — and the server-side masking conventions for names and phone numbers.
 */
package cn.govgate.identity;
