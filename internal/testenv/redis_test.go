package testenv

import "testing"

func TestStartRedis(t *testing.T) {
	r := StartRedis(t)
	if err := ping(r.Addr()); err != nil {
		t.Fatal(err)
	}
	r.Stop()
	if err := ping(r.Addr()); err == nil {
		t.Fatal("PING answered after Stop")
	}
	r.Start()
	if err := ping(r.Addr()); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}
