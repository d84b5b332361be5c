package main

import (
	"fmt"
	"os/exec"
)

func main() {
	out, _ := exec.Command("git", "--version").Output()
	fmt.Println(string(out))
}
