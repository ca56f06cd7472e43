/**
 * Resilience around department backends: one {@link cn.govgate.resilience.Guard} per backend
 * (bulkhead, circuit breaker and deadline driven around Vert.x Futures, never through resilience4j
 * thread pools), budgeted retries of idempotent reads outside the guard ({@link
 * cn.govgate.resilience.Retrier}), a last-known-good cache served only while a department is
 * unavailable ({@link cn.govgate.resilience.LastKnownGoodCache}) and bounded-label metrics ({@link
 * cn.govgate.resilience.DepartmentMetrics}).
 */
package cn.govgate.resilience;
