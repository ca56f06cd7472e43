/**
 * Audit and personal-data protection: the tamper-evident, hash-chained access log of personal data
 * and the masking of personal data in logs.
 */
package cn.govgate.audit;
