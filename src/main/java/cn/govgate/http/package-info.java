/**
 * HTTP surfaces of the gateway: the server verticle, one router per surface (citizen {@code /v1},
 * partner {@code /open/v1}, admin {@code /admin/v1}, callbacks, ops), request ids, body limits, and
 * the one error responder that renders every failure in the JSON error shape of {@code
 * contracts/schemas/error.json}.
 */
package cn.govgate.http;
