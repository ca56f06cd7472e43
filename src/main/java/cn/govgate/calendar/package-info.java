/**
 * Working days in mainland China: the Monday–Friday rule corrected by the State Council's yearly
 * holiday schedule (放假 and 调休上班 days), shipped as data, and the working-day deadlines counted with
 * it.
 */
package cn.govgate.calendar;
