use gort_metrics::retried;

struct Ticket {
    id: u32,
}

#[retried]
fn redeem(ticket: Ticket, attempt_note: String) -> Result<u32, String> {
    Ok(ticket.id + attempt_note.len() as u32)
}

trait Counter {
    fn redeem(&mut self, ticket: Ticket) -> Result<u32, String>;
    async fn redeem_later(&self, note: String, ticket: Ticket) -> Result<u32, String>;
}

struct Desk;

impl Counter for Desk {
    #[retried]
    fn redeem(&mut self, ticket: Ticket) -> Result<u32, String> {
        Ok(ticket.id)
    }

    #[retried]
    async fn redeem_later(&self, note: String, ticket: Ticket) -> Result<u32, String> {
        Ok(ticket.id + note.len() as u32)
    }
}

fn main() {}
