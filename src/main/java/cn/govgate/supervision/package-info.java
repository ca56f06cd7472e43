/**
 * 效能监察: the service levels govgate publishes per department and month — availability, latency
 * percentiles, error and stale shares of department calls, on-time replies to consultations and
 * complaints, satisfaction and rectification — computed from durable data every instance writes
 * (per-minute call counts rolled up into days), never from one instance's memory.
 */
package cn.govgate.supervision;
