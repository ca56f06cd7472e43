/**
 * A local Alipay open-platform simulator for tests and the demo: a real HTTP {@code gateway.do}
 * that checks app ids, timestamps and RSA2/SM2 request signatures exactly as Alipay does, answers
 * signed responses, serves the certify page, sends signed trade notifications with retries, and
 * exposes a JSON control API under {@code /__sim/} with knobs for the open (❓) items of the
 * wire-format document.
 */
package cn.govgate.channel.alipay.sim;
