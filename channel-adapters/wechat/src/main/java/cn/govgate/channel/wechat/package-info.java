/**
 * The WeChat channel adapter: mini-program login ({@code jscode2session}), access tokens, {@code
 * encryptedData} decryption, city-service face verification and WeChat Pay API v3 (signed requests,
 * verified responses, encrypted callbacks), all non-blocking over the Vert.x {@code WebClient},
 * each API behind its own circuit breaker. Entry point: {@link
 * cn.govgate.channel.wechat.WechatAdapter#create}.
 */
package cn.govgate.channel.wechat;
