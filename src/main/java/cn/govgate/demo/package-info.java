/**
 * The embedded default (demo mode): seeded synthetic citizens and, under {@code departments}, the department
 * simulators. Everything here derives its people from {@link cn.govgate.demo.SyntheticCitizens}, so one ID
 * number means the same person in every simulator and in the demo.
 */
package cn.govgate.demo;
