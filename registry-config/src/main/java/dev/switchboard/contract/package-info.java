/**
 * The Switchboard contract: framework-free types shared by every service.
 *
 * <p>Nothing in this package (or below it) may import Spring, Nacos, Reactor or any other
 * framework; an ArchUnit test enforces it. Services convert to and from these types at their edges.
 */
package dev.switchboard.contract;
