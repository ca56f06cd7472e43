/**
 * Synthetic citizens shared by the simulators: deterministic people (valid, never-issued resident
 * ID numbers in Hangzhou and Chengdu) that the department simulators hold records for and the demo
 * registers as channel users.
 */
package cn.govgate.sim.citizens;
