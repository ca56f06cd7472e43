/**
 * The errors of the gateway, on the bottom floor (no dependency on any other govgate package): the
 * one catalogue of every error code ({@link cn.govgate.error.ErrorCode}: code, HTTP status, origin
 * and the message in Chinese and English), the one exception family that carries a catalogue entry
 * ({@link cn.govgate.error.ApiException}), and the choice of the message's language from {@code
 * Accept-Language} ({@link cn.govgate.error.MessageLanguage}). The list published in {@code
 * contracts/errors/catalogue.yaml} is checked against the catalogue by a test.
 */
package cn.govgate.error;
