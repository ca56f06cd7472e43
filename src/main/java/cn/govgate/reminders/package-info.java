/**
 * 主动服务: proactive reminders. Citizens subscribe on their channel (WeChat subscribe messages, Alipay
 * subscription messages) to reminders of unpaid traffic fines, utility bills due, proofs about to
 * expire and replies to their consultations and complaints; a cluster-safe scheduler finds what is
 * due (departments asked in batches, govgate's own records) and sends each reminder at most once
 * through the channel adapters.
 */
package cn.govgate.reminders;
