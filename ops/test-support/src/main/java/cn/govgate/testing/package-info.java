/**
 * Test support shared by every module's tests: {@link cn.govgate.testing.TestClock}, the one
 * hand-moved clock.
 */
package cn.govgate.testing;
