/** AWS implementations of the core's interfaces (stores, run launcher, secrets). No handler code. */
package dev.cairn.aws;
