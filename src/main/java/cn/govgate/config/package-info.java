/**
 * Configuration: immutable records loaded once from built-in defaults, an optional file and {@code
 * GOVGATE_*} environment variables, validated at start-up with one clear line per error.
 */
package cn.govgate.config;
