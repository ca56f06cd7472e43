/**
 * OpenTelemetry tracing through Vert.x's own integration ({@code vertx-opentelemetry}): the SDK set
 * up from configuration (off by default), the sampler, the W3C propagation that links an untrusted
 * client's trace instead of joining it, the redaction of what leaves the process, the gateway's own
 * spans (session check, department call) and the trace id in log lines. Foundation: depends on no
 * concern.
 */
package cn.govgate.tracing;
