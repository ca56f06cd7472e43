/**
 * Checks of the operations assets under {@code ops/} against the code that produces the metrics
 * they use.
 */
package cn.govgate.ops;
