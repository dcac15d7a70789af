/**
 * JMH micro-benchmarks and end-to-end harnesses for litestream-spring-boot.
 */
package io.github.litestream.benchmarks;
