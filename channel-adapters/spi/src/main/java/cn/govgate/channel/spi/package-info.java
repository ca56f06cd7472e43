/**
 * The channel SPI: what every super-app channel (Alipay, WeChat) implements for the gateway — login
 * by auth code, live face verification, payments and callback verification — with typed errors —
 * and {@code ChannelCalls}, the breaker-and-timer wrapper every adapter runs its calls through. No
 * vendor type appears here; adapters depend on this package, never the reverse.
 */
package cn.govgate.channel.spi;
