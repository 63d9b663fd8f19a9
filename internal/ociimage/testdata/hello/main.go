// Command hello is the smallest Go program, for the image builder's tests.
package main

func main() { println("halo") }
