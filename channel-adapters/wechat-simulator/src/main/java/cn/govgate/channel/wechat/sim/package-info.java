/**
 * A local WeChat platform simulator for tests and the demo: serves the mini-program server API
 * (api.weixin.qq.com paths) and WeChat Pay v3 (api.mch.weixin.qq.com {@code /v3} paths) on one
 * 127.0.0.1 port, verifies merchant signatures exactly as WeChat Pay does, signs every 2xx answer
 * with its own platform key, delivers encrypted payment notifications, and exposes knobs for faults
 * and the unconfirmed (❓) details of channel-adapters/WIRE-FORMATS.md Appendix B, in Java and under
 * {@code /__sim/}.
 */
package cn.govgate.channel.wechat.sim;
