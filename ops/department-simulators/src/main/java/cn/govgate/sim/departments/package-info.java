/**
 * Department simulators: real Vert.x HTTP servers that implement {@code
 * contracts/department-backend.yaml} for one (family, region), verify the gateway's request
 * signatures, derive every record deterministically from the citizen's ID number (so any two
 * instances agree) and can be switched into fault modes for tests.
 */
package cn.govgate.sim.departments;
